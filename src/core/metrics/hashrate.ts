/**
 * Hashrate trend and hash ribbons. Daily hashrate estimates are noisy (±8 % from block luck), so
 * every comparison here is between 7-day (or longer) averages, never raw daily points.
 */
import { SECONDS_PER_DAY } from './constants.ts';
import { drawdown } from './drawdown.ts';
import { valueAt, type Point } from './history.ts';

/**
 * Trailing simple moving average over a time window of `days` (t − days·86400, t]. A value is
 * emitted only once the series covers the whole window, so a short history never passes off a
 * 3-day mean as a 30-day one. Output is sorted by time.
 */
export function sma(points: Point[], days: number): Point[] {
  if (!(days > 0)) throw new RangeError(`days must be positive, got ${days}`);
  const sorted = [...points].sort((a, b) => a.t - b.t);
  const first = sorted[0];
  if (!first) return [];
  const window = days * SECONDS_PER_DAY;
  const out: Point[] = [];
  let start = 0;
  let sum = 0;
  for (const [i, p] of sorted.entries()) {
    sum += p.v;
    while (sorted[start]!.t <= p.t - window) sum -= sorted[start++]!.v;
    // With daily points the 7th point's window reaches back exactly 6 days to the first; half a day
    // of slack absorbs timestamps that are not exactly midnight-aligned.
    if (first.t <= p.t - window + 1.5 * SECONDS_PER_DAY) out.push({ t: p.t, v: sum / (i - start + 1) });
  }
  return out;
}

export interface HashrateTrend {
  /** 7-day average hashrate in force at nowSec (H/s if the input is H/s). */
  avg7d: number;
  /**
   * Latest 7-day average against the one 7 (30) days before it, percent; undefined when there is no
   * average from within MAX_COMPARISON_GAP_DAYS of that day.
   */
  change7dPercent?: number;
  change30dPercent?: number;
  /** Highest 7-day average up to nowSec. */
  ath: Point;
  drawdownPercent: number;
}

/** How far before the wanted day the average compared against may be (a missing daily point or two). */
const MAX_COMPARISON_GAP_DAYS = 2;

/** Throws a RangeError when there are fewer than 7 days of points at or before nowSec. */
export function hashrateTrend(points: Point[], nowSec: number): HashrateTrend {
  const avg = sma(points, 7).filter((p) => p.t <= nowSec);
  const dd = drawdown(avg);
  if (!dd) throw new RangeError('need at least 7 days of hashrate points for a 7-day average');
  const avg7d = dd.current.v;
  // Compare with the average `days` before the latest one (not before nowSec: when the history ends
  // days before nowSec that would compare the latest average with itself and report 0 %), and only
  // with an average from about that day: across a gap in the data the change is unknown, not one
  // over a longer span.
  const change = (days: number): number | undefined => {
    const past = valueAt(avg, dd.current.t - days * SECONDS_PER_DAY, MAX_COMPARISON_GAP_DAYS * SECONDS_PER_DAY);
    return past ? (avg7d / past - 1) * 100 : undefined;
  };
  return {
    avg7d,
    change7dPercent: change(7),
    change30dPercent: change(30),
    ath: dd.ath,
    drawdownPercent: dd.percentBelowAth,
  };
}

type RibbonState = 'capitulation' | 'recovery' | 'normal';

export interface HashRibbons {
  sma30: number;
  sma60: number;
  state: RibbonState;
  /** Time of the latest crossing of the 30-day SMA through the 60-day SMA, either way (s). */
  lastCrossSec?: number;
}

/** How long after the 30-day SMA crosses back above the 60-day SMA the state reads "recovery". */
const RECOVERY_WINDOW_DAYS = 30;

/**
 * Hash ribbons (Charles Edwards): capitulation while the 30-day SMA is below the 60-day SMA;
 * recovery for 30 days after it crosses back above. Throws a RangeError with under 60 days of points.
 */
export function hashRibbons(points: Point[]): HashRibbons {
  const long = sma(points, 60);
  const shortByTime = new Map(sma(points, 30).map((p) => [p.t, p.v]));
  let lastCrossSec: number | undefined;
  let below: boolean | undefined;
  for (const p of long) {
    const isBelow = shortByTime.get(p.t)! < p.v;
    if (below !== undefined && isBelow !== below) lastCrossSec = p.t;
    below = isBelow;
  }
  const last = long.at(-1);
  if (!last) throw new RangeError('need at least 60 days of hashrate points for hash ribbons');
  const sma30 = shortByTime.get(last.t)!;
  const recovering = lastCrossSec !== undefined && last.t - lastCrossSec < RECOVERY_WINDOW_DAYS * SECONDS_PER_DAY;
  const state: RibbonState = below ? 'capitulation' : recovering ? 'recovery' : 'normal';
  return { sma30, sma60: last.v, state, lastCrossSec };
}
