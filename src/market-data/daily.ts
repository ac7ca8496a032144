/**
 * Daily series from mempool's histories, whose resolution is not daily: prices are weekly before
 * mid-2022 and hourly after (mempool/mempool backend/src/tasks/price-updater.ts), rewards and fees come
 * in 5-minute to 24-hour buckets depending on the period (backend/src/api/mining/mining.ts
 * `getTimeRange`). A day's value is the mean of that UTC day, labelled with the day's start (00:00 UTC),
 * so "7 days ago" means the same day in every series.
 */
import type { Point } from '../core/metrics/history.ts';
import { blocksPerPhDay } from '../core/metrics/hashprice.ts';
import { SATS_PER_BTC } from '../core/metrics/constants.ts';
import type { DifficultyPoint, PricePoint, RewardHistoryPoint } from '../core/market.ts';
import { DAY_SEC } from './metrics.ts';

export const utcDay = (tSec: number) => Math.floor(tSec / DAY_SEC);

/**
 * One point per UTC day: the mean of the day's points, at the day's 00:00 UTC, oldest first. The newest
 * day (usually today, still in progress) is labelled with its latest observation instead, so its age
 * stays true; comparisons with past days never land on it.
 */
export function dailyMean(points: readonly Point[]): Point[] {
  const byDay = new Map<number, { sum: number; n: number; lastT: number }>();
  for (const p of points) {
    if (!Number.isFinite(p.v)) continue;
    const day = utcDay(p.t);
    const acc = byDay.get(day) ?? { sum: 0, n: 0, lastT: p.t };
    acc.sum += p.v;
    acc.n += 1;
    acc.lastT = Math.max(acc.lastT, p.t);
    byDay.set(day, acc);
  }
  const days = [...byDay].sort(([a], [b]) => a - b);
  return days.map(([day, { sum, n, lastT }], i) => ({ t: i === days.length - 1 ? lastT : day * DAY_SEC, v: sum / n }));
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

/** A weekly price (before mid-2022) stands for the days until the next one, never longer than this. */
const PRICE_MAX_AGE_SEC = 8 * DAY_SEC;

/** Last difficulty at or before tSec in a time-sorted list (binary search). */
function difficultyAt(sorted: readonly DifficultyPoint[], tSec: number): number | undefined {
  let lo = 0;
  let hi = sorted.length - 1;
  let found: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.timeSec <= tSec) {
      found = sorted[mid]!.difficulty;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export interface DailyHashprice {
  /** 00:00 UTC of the day described. */
  t: number;
  btcPerPhDay: number;
  /** Absent when no price is known for that day. */
  usdPerPhDay?: number;
}

/**
 * Hashprice per UTC day with the live formula: each reward bucket is valued at the difficulty in force
 * at its time (a retarget day mixes both difficulties by how many buckets fell on each side), the day's
 * BTC figure is the mean of its buckets, and the USD figure multiplies it by that day's mean price.
 *
 * The price comes from the price history, not from the reward rows' USD column: mempool links each
 * block to the first price row after it (backend/src/api/mining/mining.ts `$indexBlockPrices`) and a
 * bucket reports one of its blocks' prices (BlocksRepository `$getHistoricalBlockRewards` groups without
 * aggregating USD), which before mid-2022 is a weekly price up to a week after the day. The rows' USD is
 * used only for days the price history does not cover.
 */
export function dailyHashprice(
  rewards: readonly RewardHistoryPoint[],
  difficulty: readonly DifficultyPoint[],
  prices: readonly PricePoint[],
): DailyHashprice[] {
  const steps = [...difficulty].sort((a, b) => a.timeSec - b.timeSec);
  const btc: Point[] = [];
  const linkedUsd: Point[] = [];
  for (const r of rewards) {
    const d = difficultyAt(steps, r.timestampSec);
    if (d === undefined || !(d > 0)) continue;
    btc.push({ t: r.timestampSec, v: blocksPerPhDay(d) * (r.avgRewardsSats / SATS_PER_BTC) });
    if (r.usd !== undefined && r.usd > 0) linkedUsd.push({ t: r.timestampSec, v: r.usd });
  }
  const priceOf = dayPrices(prices, linkedUsd);
  return dailyMean(btc).map((day) => {
    const usd = priceOf(utcDay(day.t) * DAY_SEC);
    return { t: day.t, btcPerPhDay: day.v, ...(usd !== undefined && { usdPerPhDay: day.v * usd }) };
  });
}

/**
 * The USD price of a day (given its 00:00 UTC): the mean of the day's price rows; in the weekly era the
 * last row before the day ends (at most 8 days old); else the mean of the prices linked to that day's
 * blocks.
 */
export function dayPrices(prices: readonly PricePoint[], linked: readonly Point[] = []): (dayStartSec: number) => number | undefined {
  const positive = prices.filter((p) => p.usd > 0).sort((a, b) => a.timeSec - b.timeSec);
  const byDay = (points: Point[]) => new Map(dailyMean(points).map((p) => [utcDay(p.t) * DAY_SEC, p.v]));
  const means = byDay(positive.map((p) => ({ t: p.timeSec, v: p.usd })));
  const linkedMeans = byDay([...linked]);
  return (dayStart) => {
    const mean = means.get(dayStart);
    if (mean !== undefined) return mean;
    const end = dayStart + DAY_SEC;
    let lo = 0;
    let hi = positive.length - 1;
    let last: PricePoint | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (positive[mid]!.timeSec < end) {
        last = positive[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (last && end - last.timeSec <= PRICE_MAX_AGE_SEC) return last.usd;
    return linkedMeans.get(dayStart);
  };
}
