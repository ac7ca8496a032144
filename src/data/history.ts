/**
 * Daily series built from mempool's history endpoints, shared by commands, the digest and alerts:
 * one point per UTC day, the day's mean, at 00:00 UTC (src/history/daily.ts). Historical hashprice
 * uses the same formula as the live figure, with the price of the day it describes.
 */
import type { Point } from '../core/metrics/index.ts';
import type { Provenance } from '../core/freshness.ts';
import { dailyHashprice, dailyMean } from '../history/daily.ts';
import { UpstreamError, type Market } from '../core/market.ts';
import { plural } from '../core/plural.ts';

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

interface DailySeries {
  hashrate: HashrateHistory;
  prices: PriceHistory;
  usd: Point[];
  btc: Point[];
}

/**
 * The series computed once per set of cached upstream values (a cached resource hands out the same
 * value object until it refreshes): a burst of /hashprice computed it once per request, which
 * held every reply back until all of them had done it. Callers only read the arrays.
 */
const seriesMemo = new WeakMap<RewardHistory, DailySeries>();

function seriesFor(rewards: RewardHistory, hashrate: HashrateHistory, prices: PriceHistory): { usd: Point[]; btc: Point[] } {
  const memo = seriesMemo.get(rewards);
  if (memo && memo.hashrate === hashrate && memo.prices === prices) return memo;
  const days = completeDays(dailyHashprice(rewards, hashrate.difficulty, prices));
  const made = {
    hashrate,
    prices,
    usd: days.flatMap((d) => (d.usdPerPhDay === undefined ? [] : [{ t: d.t, v: d.usdPerPhDay }])),
    btc: days.map((d) => ({ t: d.t, v: d.btcPerPhDay })),
  };
  seriesMemo.set(rewards, made);
  return made;
}

export async function loadHashpriceHistory(market: Market): Promise<Series> {
  const [rewards, hashrate, prices] = await Promise.all([
    market.rewardHistory(HASHPRICE_HISTORY_PERIOD),
    market.hashrateHistory(HASHPRICE_HISTORY_PERIOD),
    // Without the price history the days keep the prices mempool linked to their blocks.
    market.priceHistory().catch((err: unknown) => {
      if (err instanceof UpstreamError) return undefined;
      throw err;
    }),
  ]);
  const { usd, btc } = seriesFor(rewards.value, hashrate.value, prices?.value ?? NO_PRICES);
  return {
    usd,
    btc,
    provenance: [
      { what: 'reward history', sourced: rewards },
      { what: 'difficulty history', sourced: hashrate },
      ...(prices ? [{ what: 'price history', sourced: prices }] : []),
    ],
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
