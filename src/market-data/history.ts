/**
 * Daily series built from mempool's history endpoints, shared by commands, the digest and alerts:
 * one point per UTC day, the day's mean, at 00:00 UTC (src/market-data/daily.ts). Historical hashprice
 * uses the same formula as the live figure, with the price of the day it describes.
 */
import type { Point } from '../core/metrics/index.ts';
import type { Provenance } from '../core/freshness.ts';
import { dailyHashprice, dailyMean, type DailyHashprice } from './daily.ts';
import { UpstreamError, type HistoryPeriod, type Market } from '../core/market.ts';
import { plural } from '../core/plural.ts';

const PERIOD_DAYS: [HistoryPeriod, number][] = [
  ['1w', 7],
  ['1m', 30],
  ['3m', 90],
  ['6m', 180],
  ['1y', 365],
  ['2y', 730],
  ['3y', 1095],
];

/** The shortest history period reaching `days` back (finer resolution, smaller answer). */
export function periodCovering(days: number): HistoryPeriod {
  return PERIOD_DAYS.find(([, d]) => d >= days)?.[0] ?? 'all';
}

export const daysOf = (period: HistoryPeriod) => PERIOD_DAYS.find(([p]) => p === period)?.[1] ?? Infinity;

/** Hash ribbons need a 60-day average; fewer points means the instance does not index mining data. */
const MIN_HASHRATE_DAYS = 60;

/** Long enough for "lowest since …" to mean something in a bear market. */
const HASHPRICE_HISTORY_PERIOD = '3y' as const;

export interface Series {
  usd: Point[];
  btc: Point[];
  provenance: Provenance[];
}

/**
 * Without the newest day: it is still in progress (a mean of its first hours), and the live figure
 * stands for it; kept, it would tie with the live value and read as "lowest since today".
 */
function completeDays<T>(days: T[]): T[] {
  return days.slice(0, -1);
}

type RewardHistory = Awaited<ReturnType<Market['rewardHistory']>>['value'];
type HashrateHistory = Awaited<ReturnType<Market['hashrateHistory']>>['value'];
type PriceHistory = Awaited<ReturnType<Market['priceHistory']>>['value'];
const NO_PRICES: PriceHistory = [];

interface DailyMemo {
  hashrate: HashrateHistory;
  prices: PriceHistory;
  days: DailyHashprice[];
}

/**
 * The days computed once per set of cached upstream values (a cached resource hands out the same
 * value object until it refreshes): a burst of /hashprice computed them once per request, which
 * held every reply back until all of them had done it. Callers only read the arrays.
 */
const daysMemo = new WeakMap<RewardHistory, DailyMemo>();

function daysFor(rewards: RewardHistory, hashrate: HashrateHistory, prices: PriceHistory): DailyHashprice[] {
  const memo = daysMemo.get(rewards);
  if (memo && memo.hashrate === hashrate && memo.prices === prices) return memo.days;
  const days = dailyHashprice(rewards, hashrate.difficulty, prices);
  daysMemo.set(rewards, { hashrate, prices, days });
  return days;
}

/**
 * The one hashprice history: per UTC day over `period`, today's unfinished day included, for
 * charts, the back-fill, /hashprice and the headline alike. The difficulty history reaches a month
 * further back, so the oldest days are valued at the retarget in force then instead of being left
 * out. Without the price history the days keep the prices mempool linked to their blocks.
 */
export async function loadDailyHashprice(
  market: Market,
  period: HistoryPeriod,
): Promise<{ days: DailyHashprice[]; provenance: Provenance[] }> {
  const [rewards, hashrate, prices] = await Promise.all([
    market.rewardHistory(period),
    // The retarget in force when the period opens is up to ~2 weeks older than the period itself.
    market.hashrateHistory(periodCovering(daysOf(period) + 30)),
    market.priceHistory().catch((err: unknown) => {
      if (err instanceof UpstreamError) return undefined;
      throw err;
    }),
  ]);
  return {
    days: daysFor(rewards.value, hashrate.value, prices?.value ?? NO_PRICES),
    provenance: [
      { what: 'reward history', sourced: rewards },
      { what: 'difficulty history', sourced: hashrate },
      ...(prices ? [{ what: 'price history', sourced: prices }] : []),
    ],
  };
}

/** Complete days of the hashprice history, in USD (days with a known price) and BTC. */
export async function loadHashpriceHistory(market: Market): Promise<Series> {
  const { days, provenance } = await loadDailyHashprice(market, HASHPRICE_HISTORY_PERIOD);
  const complete = completeDays(days);
  return {
    usd: complete.flatMap((d) => (d.usdPerPhDay === undefined ? [] : [{ t: d.t, v: d.usdPerPhDay }])),
    btc: complete.map((d) => ({ t: d.t, v: d.btcPerPhDay })),
    provenance,
  };
}

/** The USD price per UTC day (mean of mempool's hourly or weekly rows), for changes and the all-time high. */
export async function loadDailyPrices(market: Market): Promise<{ points: Point[]; provenance: Provenance[] }> {
  const history = await market.priceHistory();
  return {
    points: completeDays(dailyMean(history.value.map((p) => ({ t: p.timeSec, v: p.usd })))),
    provenance: [{ what: 'price history', sourced: history }],
  };
}

/** 'all' where an all-time high is shown (/hashrate); a year covers the 60-day ribbons and trends. */
export async function loadHashrateSeries(market: Market, period: '1y' | 'all') {
  const history = await market.hashrateHistory(period);
  if (history.value.hashrates.length < MIN_HASHRATE_DAYS) {
    throw new UpstreamError(
      'hashrate history',
      `${history.source} returned only ${plural(history.value.hashrates.length, 'day')} of hashrate history (at least ${MIN_HASHRATE_DAYS} are needed); a self-hosted mempool needs mining indexing enabled.`,
    );
  }
  return {
    points: history.value.hashrates.map((p) => ({ t: p.timestampSec, v: p.avgHashrate })),
    history: history.value,
    provenance: [{ what: 'hashrate history', sourced: history }] as Provenance[],
  };
}
