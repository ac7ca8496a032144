/**
 * The small series helpers shared by hashprice, hashrate and price history (historical hashprice
 * itself is built per UTC day in src/market-data/daily.ts). Series may arrive in any order; "latest" and
 * "earlier" always mean by time, not by index.
 */
import { SECONDS_PER_DAY } from './constants.ts';

/** One observation: t in seconds since the epoch, v in the series' own unit. */
export type Point = { t: number; v: number };

/** The point with the greatest t at or before tSec. */
function pointAt(series: Point[], tSec: number): Point | undefined {
  let best: Point | undefined;
  for (const p of series) if (p.t <= tSec && (!best || p.t >= best.t)) best = p;
  return best;
}

/**
 * Value of the last point at or before tSec; undefined when the series starts later, or, with
 * maxAgeSec, when that point is more than maxAgeSec older than tSec (a gap in the data must not
 * pass off a much older value as the one in force at tSec).
 */
export function valueAt(series: Point[], tSec: number, maxAgeSec = Number.POSITIVE_INFINITY): number | undefined {
  const p = pointAt(series, tSec);
  return p && tSec - p.t <= maxAgeSec ? p.v : undefined;
}

/** Comparisons ("7d change") accept a past point at most this far before the day compared with. */
const MAX_COMPARISON_GAP_SEC = 2 * SECONDS_PER_DAY;

/**
 * Percent change of `current` (the value now, at nowSec) against the value in force `days` earlier.
 * Undefined when the past is before the data, falls in a gap longer than MAX_COMPARISON_GAP_SEC,
 * or is 0 (no meaningful ratio).
 */
export function changePercent(series: Point[], current: number, nowSec: number, days: number): number | undefined {
  const past = valueAt(series, nowSec - days * SECONDS_PER_DAY, MAX_COMPARISON_GAP_SEC);
  if (past === undefined || past === 0) return undefined;
  return (current / past - 1) * 100;
}

/** Lowest and highest points from fromSec on; on ties the most recent wins ("lowest since" reads better). */
export function lowHigh(series: Point[], fromSec: number): { low: Point; high: Point } | undefined {
  let low: Point | undefined;
  let high: Point | undefined;
  for (const p of series) {
    if (p.t < fromSec) continue;
    if (!low || p.v < low.v || (p.v === low.v && p.t > low.t)) low = p;
    if (!high || p.v > high.v || (p.v === high.v && p.t > high.t)) high = p;
  }
  return low && high ? { low, high } : undefined;
}

/**
 * When the series was last at or below `current` (time in s of the most recent such point), i.e.
 * "lowest since <date>". Undefined when every point is higher: the lowest on record.
 * Pass the history without the current point itself.
 */
export function lowestSince(series: Point[], current: number): number | undefined {
  let since: number | undefined;
  for (const p of series) if (p.v <= current && (since === undefined || p.t > since)) since = p.t;
  return since;
}

/**
 * The points of UTC days before the day of tSec. A history's bucket for today covers only part of
 * the day and sits next to the live value (a tie makes "lowest since <today>"): the live value
 * stands for today, so comparisons leave today's bucket out.
 */
export function beforeDayOf(series: Point[], tSec: number): Point[] {
  const dayStart = Math.floor(tSec / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  return series.filter((p) => p.t < dayStart);
}
