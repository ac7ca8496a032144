/**
 * The footer every reply carries: which block the numbers describe, where each figure came from,
 * and how old it is. Stale or fallback values are called out, never silently mixed in.
 */
import type { Sourced } from './market.ts';
import { age, dateTime, int } from './format.ts';
import type { FigureSource } from './reply.ts';

export interface Provenance {
  /** What the figure is, e.g. "price", "difficulty". */
  what: string;
  sourced: Sourced<unknown>;
}

/**
 * `clock: 'absolute'` for messages that may be read long after they were built (scheduled digests
 * queued in the outbox): "7 min ago" would turn false, a UTC time stays true.
 */
export function footerFor(
  items: readonly Provenance[],
  nowMs: number,
  tip?: { height: number; timestampSec: number },
  clock: 'relative' | 'absolute' = 'relative',
): string[] {
  const when = (ms: number) => (clock === 'absolute' ? dateTime(ms) : age(ms, nowMs));
  const lines: string[] = [];
  if (tip) lines.push(`Block ${int(tip.height)} · mined ${when(tip.timestampSec * 1000)}`);
  const fresh = new Map<string, number>();
  for (const { sourced } of items) {
    if (sourced.stale) continue;
    fresh.set(sourced.source, Math.min(fresh.get(sourced.source) ?? Infinity, sourced.fetchedAt));
  }
  if (fresh.size) {
    const parts = [...fresh].map(([source, at]) => `${source} (fetched ${when(at)})`);
    lines.push(`Source: ${parts.join(', ')}`);
  }
  for (const { what, sourced } of items) {
    if (sourced.stale) {
      lines.push(
        `⚠ ${what} is stale: last good value from ${sourced.source}, fetched ${when(sourced.fetchedAt)}${sourced.note ? ` (${sourced.note})` : ''}`,
      );
    } else if (sourced.note) {
      lines.push(`ℹ ${what}: ${sourced.note}`);
    }
  }
  return dedupe(lines);
}

/** The footer in words and the same facts per figure group for `--json`: what a reply built from these sources carries. */
export function attribution(
  items: readonly Provenance[],
  nowMs: number,
  tip?: { height: number; timestampSec: number },
  clock: 'relative' | 'absolute' = 'relative',
): { footer: string[]; provenance: FigureSource[] } {
  return { footer: footerFor(items, nowMs, tip, clock), provenance: items.map((item) => figureSource(item, nowMs)) };
}

/**
 * Everything known about where the figure came from except the value itself (that is in the data):
 * flags on the item or its source (stale, a fallback's note, a degraded mark) pass through as they are.
 */
function figureSource({ what, sourced, ...itemFlags }: Provenance, nowMs: number): FigureSource {
  const { value: _value, fetchedAt, ...flags } = sourced;
  return {
    what,
    ...flags,
    ...itemFlags,
    fetchedAt: new Date(fetchedAt).toISOString(),
    ageSec: Math.max(0, Math.round((nowMs - fetchedAt) / 1000)),
  };
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}
