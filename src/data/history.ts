/**
 * Daily series built from mempool's history endpoints, shared by commands, the digest and alerts.
 * Historical hashprice uses the same formula as the live figure (see hashpriceSeries).
 */
import { hashpriceSeries, type Point } from '../core/metrics/index.ts';
import type { Provenance } from '../core/freshness.ts';
import { UpstreamError, type Market } from '../sources/types.ts';
import { plural } from '../core/plural.ts';

/** Hash ribbons need a 60-day average; fewer points means the instance does not index mining data. */
const MIN_HASHRATE_DAYS = 60;

/** Long enough for "lowest since …" to mean something in a bear market. */
export const HASHPRICE_HISTORY_PERIOD = '3y' as const;

export interface Series {
  usd: Point[];
  btc: Point[];
  provenance: Provenance[];
}

export async function loadHashpriceHistory(market: Market): Promise<Series> {
  const [rewards, hashrate] = await Promise.all([
    market.rewardHistory(HASHPRICE_HISTORY_PERIOD),
    market.hashrateHistory(HASHPRICE_HISTORY_PERIOD),
  ]);
  const points = hashpriceSeries(rewards.value, hashrate.value.difficulty);
  return {
    usd: points.map((p) => ({ t: p.timestampSec, v: p.usdPerPhDay })),
    btc: points.map((p) => ({ t: p.timestampSec, v: p.btcPerPhDay })),
    provenance: [
      { what: 'reward history', sourced: rewards },
      { what: 'difficulty history', sourced: hashrate },
    ],
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
