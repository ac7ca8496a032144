/**
 * The footer every reply carries: which block the numbers describe, where each figure came from,
 * and how old it is. Stale or fallback values are called out, never silently mixed in.
 */
import type { Sourced } from '../sources/types.ts';
import { age, int } from './format.ts';

export interface Provenance {
  /** What the figure is, e.g. "price", "difficulty". */
  what: string;
  sourced: Sourced<unknown>;
}

export function footerFor(items: readonly Provenance[], nowMs: number, tip?: { height: number; timestampSec: number }): string[] {
  const lines: string[] = [];
  if (tip) lines.push(`Block ${int(tip.height)} · mined ${age(tip.timestampSec * 1000, nowMs)}`);
  const fresh = new Map<string, number>();
  for (const { sourced } of items) {
    if (sourced.stale) continue;
    fresh.set(sourced.source, Math.min(fresh.get(sourced.source) ?? Infinity, sourced.fetchedAt));
  }
  if (fresh.size) {
    const parts = [...fresh].map(([source, at]) => `${source} (fetched ${age(at, nowMs)})`);
    lines.push(`Source: ${parts.join(', ')}`);
  }
  for (const { what, sourced } of items) {
    if (sourced.stale) {
      lines.push(`⚠ ${what} is stale: last good value from ${sourced.source}, ${age(sourced.fetchedAt, nowMs)}${sourced.note ? ` (${sourced.note})` : ''}`);
    } else if (sourced.note) {
      lines.push(`ℹ ${what}: ${sourced.note}`);
    }
  }
  return dedupe(lines);
}

function dedupe(lines: string[]): string[] {
  return [...new Set(lines)];
}

export function anyStale(items: readonly Provenance[]): boolean {
  return items.some((i) => i.sourced.stale);
}
