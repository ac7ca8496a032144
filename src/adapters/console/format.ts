/** Reply → plain terminal text. Aligned label/value rows read well in a fixed-width font. */
import type { Reply } from '../../core/reply.ts';

/**
 * C0 and C1 control characters except newline and tab. A terminal obeys them: a pool name or a
 * typed value holding `ESC]0;…BEL` would retitle the window, `ESC[2J` clear it, `\r` overwrite a line.
 */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Text that is safe to print to a terminal: controls removed, everything else kept. */
export function stripControls(text: string): string {
  return text.replace(CONTROLS, '');
}

// Marks that take no column of their own (combining accents, zero-width spaces and joiners,
// variation selectors) and characters a terminal draws two columns wide (CJK, emoji presentation).
// biome-ignore lint/suspicious/noMisleadingCharacterClass: the class tests one character at a time, a lone variation selector included
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u200b\ufe00-\ufe0f]$/u;
const WIDE =
  /^[\p{Emoji_Presentation}\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]$/u;

/** Columns the text takes in a fixed-width terminal (not its UTF-16 length: "€" is 1, "⛏️" is 2). */
export function displayWidth(text: string): number {
  const chars = Array.from(text);
  let width = 0;
  chars.forEach((ch, i) => {
    // VS16 after a symbol asks for its emoji form, which terminals draw two columns wide.
    width += ZERO_WIDTH.test(ch) ? 0 : WIDE.test(ch) || chars[i + 1] === '\ufe0f' ? 2 : 1;
  });
  return width;
}

const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

export function renderText(reply: Reply): string {
  const out: string[] = [];
  const title = stripControls(reply.tone === 'error' ? `✖ ${reply.title}` : reply.title);
  out.push(title, '─'.repeat(Math.min(60, displayWidth(title))));
  for (const line of reply.lines ?? []) out.push(line);
  for (const section of reply.sections) {
    if (section.fields.length === 0) continue;
    out.push('');
    if (section.title) out.push(`${section.title}:`);
    const labels = section.fields.map((f) => stripControls(f.label));
    const width = Math.min(28, Math.max(...labels.map(displayWidth)));
    section.fields.forEach((f, i) => {
      out.push(`  ${padEnd(labels[i]!, width)}  ${f.value}`);
    });
  }
  if (reply.buttons?.length) {
    out.push(
      '',
      `Also: ${reply.buttons
        .map(
          (b) =>
            `/${b.command} ${Object.entries(b.args)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')}`,
        )
        .join('  ·  ')}`,
    );
  }
  if (reply.chart) out.push('', `[chart: ${reply.chart.alt}]`);
  if (reply.footer.length) out.push('', ...reply.footer);
  // Last, over the whole text: every string in a Reply may hold user or upstream text.
  return stripControls(out.join('\n'));
}
