/**
 * The platform-neutral answer of a command. Every string in here is plain text: renderers
 * (each adapter's format.ts) escape it for their platform, so a command never thinks about HTML or Markdown.
 */
export type Tone = 'up' | 'down' | 'neutral' | 'error';

export interface Field {
  label: string;
  value: string;
  /** Short fields may sit side by side where the platform allows it (Discord inline fields). */
  inline?: boolean;
}

export interface Section {
  title?: string;
  fields: Field[];
}

/** A button re-runs a command with other arguments (e.g. another window or currency). */
export interface ReplyButton {
  label: string;
  command: string;
  args: Record<string, string>;
}

export interface ReplyChart {
  png: Buffer;
  filename: string;
  /** What the picture shows, for captions and screen readers. */
  alt: string;
}

export interface Reply {
  title: string;
  /** Lines of prose under the title: insights, warnings ("price is 3 h stale"), explanations. */
  lines?: string[];
  sections: Section[];
  /** Provenance and freshness, e.g. "mempool.space · block 890,440 · 7 min ago". Always shown. */
  footer: string[];
  tone: Tone;
  buttons?: ReplyButton[];
  chart?: ReplyChart;
  /** Machine-readable payload for `--json` and for tests; numbers stay numbers. */
  data?: Record<string, unknown>;
  /** Errors and personal answers: Discord shows them only to the asker. */
  ephemeral?: boolean;
  /** Where each figure group came from, as data (the footer says the same in words): `--json`, inline cache times. */
  provenance?: FigureSource[];
}

/**
 * Where one group of figures came from, for `--json`: the same facts the footer states in words.
 * `fetchedAt` is ISO 8601; `ageSec` is its age when the reply was built. Any further flag the
 * source carries (a fallback's note, a degraded mark) is passed through as is.
 */
export interface FigureSource {
  what: string;
  source: string;
  fetchedAt: string;
  ageSec: number;
  stale: boolean;
  note?: string;
  [flag: string]: unknown;
}

/**
 * The reply as `--json` prints it: the command's data, then where its figures came from (per
 * figure group, when the footer was built from sources) and the footer's own lines.
 */
export function replyJson(reply: Reply): Record<string, unknown> {
  if (reply.tone === 'error') return { error: reply.title, message: reply.lines?.join('\n') };
  return { ...(reply.data ?? {}), ...(reply.provenance ? { provenance: reply.provenance } : {}), footer: reply.footer };
}

export function errorReply(title: string, message: string, footer: string[] = []): Reply {
  return { title, lines: [message], sections: [], footer, tone: 'error', ephemeral: true };
}
