/**
 * Reply → Telegram HTML. Everything that comes from a Reply is escaped here, so no user text can
 * inject markup; the layout is one fact per line because most readers are on a phone.
 */
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { Reply, ReplyButton } from '../../core/reply.ts';
import { proseParts } from '../../render/code-spans.ts';
import { splitPieces, type Piece } from '../../render/split.ts';

export const TEXT_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
const CALLBACK_LIMIT = 64;
const BUTTONS_PER_ROW = 4;

/**
 * Escapes for HTML parse mode and defuses "@name" so echoed text can never mention (notify) anyone:
 * a word joiner after "@" keeps it readable but stops Telegram from linking it.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/@(?=\w)/g, '@\u2060');
}

/** Option and command names a command quoted in `backticks` show as code; all else is escaped text. */
function prose(text: string): string {
  return proseParts(text)
    .map((p) => (p.code ? `<code>${escapeHtml(p.text)}</code>` : escapeHtml(p.text)))
    .join('');
}

function titleOf(reply: Reply): string {
  return reply.tone === 'error' ? `⚠️ ${reply.title}` : reply.title;
}

export function renderTelegram(reply: Reply): { html: string; keyboard?: InlineKeyboardMarkup } {
  const blocks: string[][] = [[`<b>${escapeHtml(titleOf(reply))}</b>`, ...(reply.lines ?? []).map(prose)]];
  for (const section of reply.sections) {
    if (!section.fields.length && !section.title) continue;
    const block = section.title ? [`<b>${escapeHtml(section.title)}</b>`] : [];
    for (const f of section.fields) block.push(`${escapeHtml(f.label)}: <b>${escapeHtml(f.value)}</b>`);
    blocks.push(block);
  }
  if (reply.footer.length) blocks.push(reply.footer.map((line) => `<i>${escapeHtml(line)}</i>`));
  const html = blocks.map((b) => b.join('\n')).join('\n\n');
  const keyboard = keyboardFor(reply.buttons ?? []);
  return keyboard ? { html, keyboard } : { html };
}

/** A short caption for a chart whose full text does not fit under it. */
export function chartCaption(reply: Reply): string {
  const title = titleOf(reply);
  return `<b>${escapeHtml(title.length > 200 ? `${title.slice(0, 199)}…` : title)}</b>`;
}

function keyboardFor(buttons: readonly ReplyButton[]): InlineKeyboardMarkup | undefined {
  const row: { text: string; callback_data: string }[] = [];
  for (const b of buttons) {
    const data = encodeCallback(b.command, b.args);
    if (data) row.push({ text: b.label.slice(0, 40), callback_data: data });
  }
  if (!row.length) return undefined;
  const rows = [];
  for (let i = 0; i < row.length; i += BUTTONS_PER_ROW) rows.push(row.slice(i, i + BUTTONS_PER_ROW));
  return { inline_keyboard: rows };
}

// callback_data is "1 <command> key=value …": the chat syntax itself, versioned so the format can change.
const NAME = /^[a-z][a-z0-9_]{0,31}$/;
const VALUE = /^[\w.+:-]{1,40}$/;

/** Returns undefined when the button cannot be encoded in Telegram's 64 bytes. */
export function encodeCallback(command: string, args: Record<string, string>): string | undefined {
  if (!NAME.test(command)) return undefined;
  const pairs = Object.entries(args).map(([k, v]) => (NAME.test(k) && VALUE.test(v) ? `${k}=${v}` : undefined));
  if (pairs.includes(undefined)) return undefined;
  const data = ['1', command, ...pairs].join(' ');
  return Buffer.byteLength(data) <= CALLBACK_LIMIT ? data : undefined;
}

/** Strict inverse of encodeCallback: anything forged or garbled yields undefined. */
export function decodeCallback(data: unknown): { command: string; args: Record<string, string> } | undefined {
  if (typeof data !== 'string' || Buffer.byteLength(data) > CALLBACK_LIMIT) return undefined;
  const [version, command, ...pairs] = data.split(' ');
  if (version !== '1' || !command || !NAME.test(command)) return undefined;
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (eq < 1 || !NAME.test(key) || !VALUE.test(value) || Object.hasOwn(args, key)) return undefined;
    args[key] = value;
  }
  return { command, args };
}

function htmlPieces(html: string): Piece[] {
  const pieces: Piece[] = [];
  for (const m of html.matchAll(/<(\/?)([a-z][\w-]*)[^>]*>|&#?\w+;|[\s\S]/gu)) {
    if (m[2] === undefined) pieces.push({ text: m[0] });
    else if (m[1]) pieces.push({ text: m[0], closes: true });
    else pieces.push({ text: m[0], closer: `</${m[2]}>` });
  }
  return pieces;
}

/**
 * Splits HTML into parts of at most `limit` characters, at line boundaries when possible, never
 * inside a tag or an entity; formatting open at a cut is closed and reopened around it.
 */
export function splitHtml(html: string, limit = TEXT_LIMIT): string[] {
  return html.length <= limit ? [html] : splitPieces(htmlPieces(html), limit);
}
