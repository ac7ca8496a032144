/**
 * The one fake world every test shares: the chain tip of the 2025-04-01 recording, the 2024-03-31
 * price, and a generated history with a story (price and hashrate well below their highs, a hash-ribbon
 * capitulation under way). Tests import the constants and the hand-checked expectations from here
 * instead of repeating magic numbers. All curves are deterministic (seeded, no Math.random).
 */

export const TIP_HEIGHT = 890447;
/** Header time of block 890447 (s). */
export const TIP_TIME_SEC = 1743541240;
export const DIFFICULTY = 113757508810854;
export const PRICE_USD = 69880;
export const PRICE_EUR = 64823;
/** Mean fees per block over the last 144 blocks (sats) = 0.02 BTC. */
export const AVG_FEES_SATS = 2_000_000;
export const SUBSIDY_SATS = 312_500_000;
export const TOTAL_TX_144 = 520_000;
/** mempool's currentHashrate (H/s); blockchain.info's /q/hashrate says the same in GH/s. */
export const CURRENT_HASHRATE = 8.1e20;
/** What the Coinbase fallback quotes (deliberately a little different from mempool). */
export const COINBASE_USD = 69850.5;
export const COINBASE_EUR = 64800.25;

/** Hand-checked: 86400 × 1e15 / (D × 2^32) × (3.125 + 0.02) BTC, then × $69,880. */
export const EXPECTED = {
  hashpriceUsdPerPhDay: 38.86398720675945,
  hashpriceBtcPerPhDay: 0.0005561532227641592,
  /** D × 2^32 / 600, in EH/s. */
  impliedHashrateEhs: 814.307966695083,
  /** 0.02 / 3.145, in percent. */
  feeSharePercent: 0.6359300476947536,
} as const;

export const DAY_SEC = 86400;
/** Where the all-time highs of the story sit (days before the tip). */
const PRICE_ATH_DAYS_BEFORE_TIP = 120;
export const PRICE_ATH_USD = 105_000;
const HASHRATE_ATH_DAYS_BEFORE_TIP = 60;
export const HASHRATE_ATH = 9.0e20;
/** How far back each history goes (days); 'all' is six years, enough for two halvings of rewards. */
export const PERIOD_DAYS = {
  '24h': 1,
  '3d': 3,
  '1w': 7,
  '1m': 30,
  '3m': 90,
  '6m': 180,
  '1y': 365,
  '2y': 730,
  '3y': 1095,
  all: 2190,
} as const;
export type Period = keyof typeof PERIOD_DAYS;

/** A deterministic value in [-1, 1) for (day, salt): the same day always gets the same noise. */
function noise(day: number, salt: number): number {
  let h = (Math.imul(day + 1, 0x9e3779b1) ^ Math.imul(salt + 7, 0x85ebca77)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return (h / 2 ** 32) * 2 - 1;
}

/** Log-linear interpolation between anchors [daysBeforeTip, value], anchors sorted by days descending. */
function logInterp(anchors: readonly (readonly [number, number])[], daysBefore: number): number {
  const first = anchors[0]!;
  if (daysBefore >= first[0]) return first[1];
  for (let i = 1; i < anchors.length; i++) {
    const [d1, v1] = anchors[i]!;
    const [d0, v0] = anchors[i - 1]!;
    if (daysBefore >= d1) {
      const f = (d0 - daysBefore) / (d0 - d1);
      return Math.exp(Math.log(v0) + f * (Math.log(v1) - Math.log(v0)));
    }
  }
  return anchors[anchors.length - 1]![1];
}

const PRICE_ANCHORS = [
  [2190, 5200],
  [1825, 6800],
  [1460, 56000],
  [1095, 45000],
  [730, 28000],
  [365, 69000],
  [200, 62000],
  [PRICE_ATH_DAYS_BEFORE_TIP, PRICE_ATH_USD],
  [60, 96000],
  [0, PRICE_USD],
] as const;

const HASHRATE_ANCHORS = [
  [2190, 0.5e20],
  [1460, 1.6e20],
  [1095, 2.2e20],
  [730, 3.5e20],
  [365, 6.2e20],
  [120, 8.0e20],
  [75, 8.5e20],
  [HASHRATE_ATH_DAYS_BEFORE_TIP, HASHRATE_ATH],
  [48, 8.55e20],
  [40, 8.55e20],
  [30, 8.9e20],
  [20, 8.85e20],
  [10, 8.7e20],
  [5, 8.45e20],
  [0, 8.0e20],
] as const;

/**
 * USD price `daysBefore` whole days before the tip: ±2 % daily noise, the ATH exactly at its anchor
 * (every other day is capped below it) and `lastUsd` exactly at the tip.
 */
function priceAt(daysBefore: number, lastUsd: number = PRICE_USD): number {
  if (daysBefore === 0) return lastUsd;
  if (daysBefore === PRICE_ATH_DAYS_BEFORE_TIP) return PRICE_ATH_USD;
  const v = logInterp(PRICE_ANCHORS, daysBefore) * (1 + 0.02 * noise(daysBefore, 1));
  return Math.round(Math.min(v, PRICE_ATH_USD * 0.99));
}

/** Daily average hashrate (H/s) `daysBefore` days before the tip: ±1.5 % noise, ATH exactly at its anchor. */
export function hashrateAt(daysBefore: number): number {
  if (daysBefore === HASHRATE_ATH_DAYS_BEFORE_TIP) return HASHRATE_ATH;
  const v = logInterp(HASHRATE_ANCHORS, daysBefore) * (1 + 0.015 * noise(daysBefore, 2));
  return Math.round(Math.min(v, HASHRATE_ATH * 0.99));
}

/** Mean fees per block (sats) on a past day; the tip day is the live world's value. */
export function feesAt(daysBefore: number, lastFeesSats: number = AVG_FEES_SATS): number {
  if (daysBefore === 0) return lastFeesSats;
  return Math.round(AVG_FEES_SATS * (1 + 0.3 * noise(daysBefore, 3)));
}

/** Block subsidy (sats) at a height. */
export function subsidySatsAt(height: number): number {
  return Math.floor(5_000_000_000 / 2 ** Math.floor(height / 210_000));
}

/** The last retarget at or below the tip, and its approximate time (600 s per block). */
export const LAST_RETARGET_HEIGHT = Math.floor(TIP_HEIGHT / 2016) * 2016;

export interface DifficultyEntry {
  time: number;
  height: number;
  difficulty: number;
  adjustment: number;
}

/**
 * Difficulty adjustments whose time is at or after `fromSec`, oldest first. Each epoch's difficulty
 * follows the mean hashrate of the two weeks before its retarget, scaled so the latest equals
 * `currentDifficulty`; adjustment is the ratio to the previous epoch.
 */
export function difficultyEntries(fromSec: number, currentDifficulty: number = DIFFICULTY): DifficultyEntry[] {
  const meanHashBefore = (k: number): number => {
    const endDaysBefore = Math.round(((TIP_HEIGHT - (LAST_RETARGET_HEIGHT - 2016 * k)) * 600) / DAY_SEC);
    let sum = 0;
    for (let d = endDaysBefore; d < endDaysBefore + 14; d++) sum += hashrateAt(d);
    return sum / 14;
  };
  const base = meanHashBefore(0);
  const diffOf = (k: number) => (k === 0 ? currentDifficulty : Math.round((DIFFICULTY * meanHashBefore(k)) / base));
  const out: DifficultyEntry[] = [];
  for (let k = 0; ; k++) {
    const height = LAST_RETARGET_HEIGHT - 2016 * k;
    const time = TIP_TIME_SEC - (TIP_HEIGHT - height) * 600;
    if (time < fromSec || height <= 0) break;
    const difficulty = diffOf(k);
    out.push({ time, height, difficulty, adjustment: difficulty / diffOf(k + 1) });
  }
  return out.reverse();
}

/** Simple moving average of the daily hashrate over `days` days ending `daysBefore` days before the tip. */
export function hashrateSma(days: number, daysBefore: number): number {
  let sum = 0;
  for (let d = daysBefore; d < daysBefore + days; d++) sum += hashrateAt(d);
  return sum / days;
}

// ---------------------------------------------------------------------------------------------------
// The resolution mempool really serves (see mempool.ts for the route-by-route citations).

/** UTC day number of the tip's day (2025-04-01). */
export const TIP_DAY = Math.floor(TIP_TIME_SEC / DAY_SEC);
/** Whole UTC days between the day of tSec and the tip's day (0 on 2025-04-01). */
const utcDaysBeforeTip = (tSec: number): number => TIP_DAY - Math.floor(tSec / DAY_SEC);

/**
 * mempool's own price indexer writes one row an hour since it was introduced on 2022-06-23
 * (backend/src/tasks/price-updater.ts `$updatePrice`, `nowRounded` to the hour); before that the table
 * holds Kraken's weekly candles (`$insertHistoricalPrices` → KrakenApi `$insertHistoricalPrice`).
 */
const HOURLY_PRICES_SINCE_SEC = Date.UTC(2022, 5, 23) / 1000;
/** The oldest row: MtGox's weekly close of 2010-07-19 (backend/src/tasks/price-feeds/mtgox-weekly.json). */
export const OLDEST_PRICE_ROW = { time: 1279497600, USD: 0.08584 } as const;
/** Blocks below this height are all linked to the oldest price row (mining.ts `$indexBlockPrices`). */
export const FIRST_PRICED_HEIGHT = 68951;

/**
 * The hourly price: the day's price ±1 % (+ before 12:00 UTC, − after), so every full day averages
 * exactly priceAt(d) while its last hour is 1 % below it. The tip's day is flat at the live price.
 */
function hourlyPriceAt(tSec: number, lastUsd: number = PRICE_USD): number {
  const d = utcDaysBeforeTip(tSec);
  const day = priceAt(d, lastUsd);
  if (d <= 0) return day;
  const swing = Math.round(day * 0.01);
  return (tSec % DAY_SEC) / 3600 < 12 ? day + swing : day - swing;
}

/**
 * Rows of mempool's prices table, oldest first, as `/v1/historical-price` lists them (newest first
 * there): the MtGox row, weekly rows (Thursdays 00:00 UTC, Kraken's week start) from the start of the
 * generated world to 2022-06-23, then hourly rows up to the last full hour before `untilSec`.
 */
export function priceRows(lastUsd: number = PRICE_USD, untilSec: number = TIP_TIME_SEC): { time: number; USD: number }[] {
  const rows: { time: number; USD: number }[] = [{ ...OLDEST_PRICE_ROW }];
  const worldStart = TIP_TIME_SEC - PERIOD_DAYS.all * DAY_SEC;
  // 1970-01-01 was a Thursday: Thursdays 00:00 UTC are multiples of 7 days.
  for (let t = Math.ceil(worldStart / (7 * DAY_SEC)) * 7 * DAY_SEC; t < HOURLY_PRICES_SINCE_SEC; t += 7 * DAY_SEC) {
    rows.push({ time: t, USD: priceAt(utcDaysBeforeTip(t), lastUsd) });
  }
  for (let t = HOURLY_PRICES_SINCE_SEC; t <= untilSec; t += 3600) rows.push({ time: t, USD: hourlyPriceAt(t, lastUsd) });
  return rows;
}

/**
 * The bucket size of `/v1/mining/blocks/{rewards,fees}/{period}` (backend/src/api/mining/mining.ts
 * `getTimeRange`): 5 min for 1w up to 24 h for the whole history; one row per block for 24h and 3d.
 */
export const BUCKET_SEC: Record<Period, number> = {
  '24h': 1,
  '3d': 1,
  '1w': 300,
  '1m': 1800,
  '3m': 7200,
  '6m': 10800,
  '1y': 28800,
  '2y': 28800,
  '3y': 43200,
  all: 86400,
};

/** Generated blocks: one every 600 s back from the tip (height TIP_HEIGHT − k at TIP_TIME_SEC − 600 k). */
export interface FakeBlock {
  height: number;
  time: number;
}

/** Fees per block (sats) of the UTC day a block falls on; the tip's day is the live world's value. */
export function feesOfBlock(b: FakeBlock, lastFeesSats: number = AVG_FEES_SATS): number {
  return feesAt(Math.max(0, utcDaysBeforeTip(b.time)), lastFeesSats);
}
