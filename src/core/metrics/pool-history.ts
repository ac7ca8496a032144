/**
 * How pool concentration evolved, week by week, from mempool's weekly pool shares. Each week's
 * shares are fractions of that week's blocks; pools with no block in the latest week are not in
 * mempool's answer, so an older week's listed shares may add up to a little less than 1.
 */
import type { PoolHistoryPoint } from '../market.ts';
import { UNKNOWN_POOL } from './pools.ts';

export interface WeekConcentration {
  /** End of the week, seconds. */
  t: number;
  /** Largest first. */
  shares: { name: string; share: number }[];
  top1: { name: string; share: number };
  /** Fewest pools whose shares add up to more than half the week's blocks; undefined if the listed ones never do. */
  nakamoto?: number;
}

const DAY_SEC = 86_400;

export function weeklyConcentration(points: readonly PoolHistoryPoint[]): WeekConcentration[] {
  const weeks = new Map<number, Map<string, number>>();
  for (const p of points) {
    const name = p.poolName.trim().toLowerCase() === 'unknown' ? UNKNOWN_POOL : p.poolName;
    const week = weeks.get(p.timestampSec) ?? new Map<string, number>();
    week.set(name, (week.get(name) ?? 0) + p.share);
    weeks.set(p.timestampSec, week);
  }
  return [...weeks]
    .sort(([a], [b]) => a - b)
    .flatMap(([t, byName]) => {
      const shares = [...byName]
        .map(([name, share]) => ({ name, share }))
        .filter((s) => s.share > 0)
        .sort((a, b) => b.share - a.share || a.name.localeCompare(b.name));
      if (!shares.length) return [];
      let cumulative = 0;
      let nakamoto: number | undefined;
      for (let i = 0; i < shares.length; i++) {
        cumulative += shares[i]!.share;
        // A hair of tolerance: shares are block counts over the week's total, summed in floating point.
        if (cumulative > 0.5 + 1e-12) {
          nakamoto = i + 1;
          break;
        }
      }
      return [{ t, shares, top1: shares[0]!, nakamoto }];
    });
}

/**
 * The latest week against the week nearest to `days` before it (at least a week apart): the pair
 * /pools compares. Undefined without two such weeks.
 */
export function concentrationThenNow(
  weeks: readonly WeekConcentration[],
  days = 30,
): { then: WeekConcentration; now: WeekConcentration } | undefined {
  const now = weeks.at(-1);
  if (!now) return undefined;
  const target = now.t - days * DAY_SEC;
  const earlier = weeks.filter((w) => w.t <= now.t - 7 * DAY_SEC);
  if (!earlier.length) return undefined;
  const then = earlier.reduce((a, w) => (Math.abs(w.t - target) < Math.abs(a.t - target) ? w : a));
  return { then, now };
}

/**
 * Rose, fell or held: a lower Nakamoto coefficient is more concentration; at the same coefficient,
 * a top-1 share that moved by at least one point decides.
 */
export function concentrationTrend(then: WeekConcentration, now: WeekConcentration): 'rose' | 'fell' | 'held' {
  if (then.nakamoto !== undefined && now.nakamoto !== undefined && then.nakamoto !== now.nakamoto)
    return now.nakamoto < then.nakamoto ? 'rose' : 'fell';
  const d = now.top1.share - then.top1.share;
  if (Math.abs(d) < 0.01) return 'held';
  return d > 0 ? 'rose' : 'fell';
}
