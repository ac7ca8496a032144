/**
 * Reply → Discord message payload: one embed (colour by tone, fields, footer with provenance),
 * buttons as action rows, a chart as an attachment shown as the embed image. Limits are respected by
 * truncating with "…" so an oversized answer is shortened, never rejected by Discord.
 */
import { AttachmentBuilder, type APIActionRowComponent, type APIButtonComponent, type APIEmbed, type APIEmbedField } from 'discord.js';
import type { Reply, ReplyButton, Tone } from '../../core/reply.ts';
import { encodeButtonId } from './custom-id.ts';
import { proseParts } from '../../render/code-spans.ts';

export const EMBED_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
} as const;

const BUTTONS_PER_ROW = 5;
const MAX_ROWS = 5;
const BUTTON_LABEL = 80;
const EPHEMERAL_FLAG = 64;

export const TONE_COLOURS: Record<Tone, number> = {
  up: 0x2ecc71,
  down: 0xe74c3c,
  neutral: 0x5865f2,
  error: 0xe67e22,
};

export interface DiscordPayload {
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  files: AttachmentBuilder[];
  allowedMentions: { parse: [] };
  /** 64 (ephemeral) for errors and personal answers; only meaningful for interaction replies. */
  flags?: number;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Plain text → Discord markdown that shows exactly that text. Option and command names a command
 * quoted in `backticks` stay code; everything else is escaped. Mention syntax is broken with a
 * zero-width space everywhere, code included, so it never even looks like a ping.
 */
export function escapeDiscord(text: string): string {
  return proseParts(text)
    .map((p) => (p.code ? `\`${defuseMentions(p.text)}\`` : escapeMarkdown(defuseMentions(p.text))))
    .join('');
}

/**
 * Backslash-escapes what Discord would read as markdown: inline markers anywhere, block markers
 * (headings, quotes, lists) at the start of a line. Linear time, unlike discord.js's escapeMarkdown,
 * which takes ~30 ms on a 2,000-character field.
 */
function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\*_~`|[\]]/g, '\\$&')
    .replace(/^([ \t]*)([#>+-])/gm, '$1\\$2')
    .replace(/^([ \t]*\d+)\.(?=\s)/gm, '$1\\.');
}

function defuseMentions(text: string): string {
  return text.replace(/@(everyone|here)/gi, '@\u200b$1').replace(/<(@[!&]?|#)(\d+)>/g, '<$1\u200b$2>');
}

/** Attachment names: Discord refers to them as attachment://name, so keep them URL-safe. */
function safeFilename(name: string): string {
  const cleaned = name.replace(/[^\w.-]+/g, '_').replace(/^[._]+/, '');
  return truncate(cleaned || 'chart.png', 100);
}

function fieldsOf(reply: Reply): APIEmbedField[] {
  const fields: APIEmbedField[] = [];
  for (const section of reply.sections) {
    if (section.fields.length === 0) continue;
    // A section title becomes a full-width header field; the zero-width space is Discord's empty value.
    if (section.title)
      fields.push({ name: truncate(escapeDiscord(section.title), EMBED_LIMITS.fieldName), value: '\u200b', inline: false });
    for (const f of section.fields) {
      fields.push({
        name: truncate(escapeDiscord(f.label) || '\u200b', EMBED_LIMITS.fieldName),
        value: truncate(escapeDiscord(f.value) || '\u200b', EMBED_LIMITS.fieldValue),
        inline: Boolean(f.inline),
      });
    }
  }
  if (fields.length > EMBED_LIMITS.fields) {
    const hidden = fields.length - (EMBED_LIMITS.fields - 1);
    fields.length = EMBED_LIMITS.fields - 1;
    fields.push({ name: '…', value: `${hidden} more not shown`, inline: false });
  }
  return fields;
}

const textLength = (e: APIEmbed) =>
  (e.title?.length ?? 0) +
  (e.description?.length ?? 0) +
  (e.footer?.text.length ?? 0) +
  (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);

/** Brings an embed under the 6000-character total: description first, then trailing fields. */
function fitTotal(embed: APIEmbed): void {
  let over = textLength(embed) - EMBED_LIMITS.total;
  if (over <= 0) return;
  if (embed.description) {
    const keep = Math.max(0, embed.description.length - over);
    embed.description = keep > 1 ? truncate(embed.description, keep) : undefined;
    over = textLength(embed) - EMBED_LIMITS.total;
  }
  const fields = embed.fields ?? [];
  while (over > 0 && fields.length > 0) {
    const last = fields[fields.length - 1]!;
    const room = last.value.length - over;
    if (room >= 2) {
      last.value = truncate(last.value, room);
    } else {
      fields.pop();
    }
    over = textLength(embed) - EMBED_LIMITS.total;
  }
}

function buttonRows(buttons: readonly ReplyButton[]): APIActionRowComponent<APIButtonComponent>[] {
  const usable: APIButtonComponent[] = [];
  const seen = new Set<string>();
  for (const b of buttons) {
    const customId = encodeButtonId(b.command, b.args);
    // A button whose arguments do not fit Discord's 100-character id cannot work, and ids must be
    // unique within a message: leave such buttons out.
    if (!customId || seen.has(customId)) continue;
    seen.add(customId);
    usable.push({ type: 2, style: 2, label: truncate(b.label, BUTTON_LABEL) || '…', custom_id: customId });
  }
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < usable.length && rows.length < MAX_ROWS; i += BUTTONS_PER_ROW) {
    rows.push({ type: 1, components: usable.slice(i, i + BUTTONS_PER_ROW) });
  }
  return rows;
}

export function renderDiscord(reply: Reply, nowMs: number = Date.now()): DiscordPayload {
  const embed: APIEmbed = {
    title: truncate(escapeDiscord(reply.tone === 'error' ? `⚠ ${reply.title}` : reply.title), EMBED_LIMITS.title),
    color: TONE_COLOURS[reply.tone],
    timestamp: new Date(nowMs).toISOString(),
  };
  const lines = (reply.lines ?? []).map(escapeDiscord).join('\n');
  if (lines) embed.description = truncate(lines, EMBED_LIMITS.description);
  const fields = fieldsOf(reply);
  if (fields.length) embed.fields = fields;
  // Footers do not render markdown, so they are shown as written.
  const footer = reply.footer.join('\n');
  if (footer) embed.footer = { text: truncate(footer, EMBED_LIMITS.footer) };

  const files: AttachmentBuilder[] = [];
  if (reply.chart) {
    const name = safeFilename(reply.chart.filename);
    files.push(new AttachmentBuilder(reply.chart.png, { name, description: truncate(reply.chart.alt, 1024) }));
    embed.image = { url: `attachment://${name}` };
  }
  fitTotal(embed);

  const payload: DiscordPayload = {
    embeds: [embed],
    components: buttonRows(reply.buttons ?? []),
    files,
    allowedMentions: { parse: [] },
  };
  if (reply.ephemeral) payload.flags = EPHEMERAL_FLAG;
  return payload;
}
