/**
 * Commands quote option and command names in `backticks` (validation messages), and chat platforms
 * show those as code. Only such names are read as code: any other backtick text, and anything
 * inside a "quoted" value (where messages echo what the user typed), stays literal text, so user
 * input is always escaped and never interpreted as formatting.
 */

export interface ProsePart {
  text: string;
  /** True for a `name` a command quoted: the text without its backticks. */
  code: boolean;
}

const CODE_NAME = /^\/?[a-z][a-z0-9_-]{0,31}$/i;

export function proseParts(text: string): ProsePart[] {
  const parts: ProsePart[] = [];
  let plain = '';
  let at = 0;
  for (const m of text.matchAll(/"[^"\n]*"|`([^`\n]+)`/g)) {
    plain += text.slice(at, m.index);
    at = m.index + m[0].length;
    if (m[1] !== undefined && CODE_NAME.test(m[1])) {
      if (plain) parts.push({ text: plain, code: false });
      parts.push({ text: m[1], code: true });
      plain = '';
    } else {
      plain += m[0];
    }
  }
  plain += text.slice(at);
  if (plain) parts.push({ text: plain, code: false });
  return parts;
}
