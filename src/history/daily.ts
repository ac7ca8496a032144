/** Series thinning and step values, in UTC days. */
import type { Point } from '../core/metrics/history.ts';
import { DAY_SEC } from './metrics.ts';

export const utcDay = (tSec: number) => Math.floor(tSec / DAY_SEC);

/**
 * One point per UTC day, the last of that day, oldest first. Mixing a daily back-fill with live
 * points every few minutes would otherwise let the live days dominate any average.
 */
export function lastPerDay(points: readonly Point[]): Point[] {
  const byDay = new Map<number, Point>();
  for (const p of points) {
    const day = utcDay(p.t);
    const seen = byDay.get(day);
    if (!seen || p.t >= seen.t) byDay.set(day, p);
  }
  return [...byDay.values()].sort((a, b) => a.t - b.t);
}

/**
 * The value in force at each UTC midnight from fromSec to toSec, for a series that holds its value
 * until the next point (difficulty between retargets). Midnights before the first point are skipped.
 */
export function stepAtMidnights(steps: readonly Point[], fromSec: number, toSec: number): Point[] {
  const sorted = [...steps].sort((a, b) => a.t - b.t);
  const out: Point[] = [];
  let i = -1;
  for (let t = Math.ceil(fromSec / DAY_SEC) * DAY_SEC; t <= toSec; t += DAY_SEC) {
    while (i + 1 < sorted.length && sorted[i + 1]!.t <= t) i++;
    if (i >= 0) out.push({ t, v: sorted[i]!.v });
  }
  return out;
}
