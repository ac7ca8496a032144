/**
 * Assembles the Headline (src/core/headline.ts) from the market: one set of upstream calls per
 * poll, whatever the number of users, digests or alert rules that read it.
 *
 * Its five parts (hashprice inputs, hashrate history, difficulty adjustment, pools, hashprice
 * history) load independently: the digest goes out with the parts that answered and names the rest;
 * alerts need every part (loadHeadline) and skip the figures computed with an input missing.
 */
import type { DegradableFigure, Headline, PartialHeadline } from '../core/headline.ts';
import type { Provenance } from '../core/freshness.ts';
import {
  beforeDayOf,
  feeShare,
  hashRibbons,
  hashpriceBtcPerPhDay,
  hashrateTrend,
  poolConcentration,
  retargetSummary,
} from '../core/metrics/index.ts';
import { UpstreamError, type Market } from '../core/market.ts';
import { loadMiningInputs } from './hashprice-inputs.ts';
import { loadPools } from './pools.ts';
import { loadHashpriceHistory, loadHashrateSeries } from './history.ts';

export interface LoadedHeadline {
  headline: Headline;
  provenance: Provenance[];
  warnings: string[];
}

export interface LoadedParts {
  headline: PartialHeadline;
  provenance: Provenance[];
  warnings: string[];
}

/** Resolves to the value, or to the upstream failure's message under the part's name. */
async function part<T>(work: Promise<T>, what: string, missing: string[]): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (!(err instanceof UpstreamError) && !(err instanceof RangeError)) throw err;
    missing.push(`${what} (${err.message})`);
    return undefined;
  }
}

/** Every part that answered; throws an UpstreamError only when none did. */
export async function loadHeadlineParts(market: Market, nowMs: number): Promise<LoadedParts> {
  const missing: string[] = [];
  const [inputs, hashrate, adj, pools, history, network] = await Promise.all([
    part(loadMiningInputs(market), 'block tip and difficulty', missing),
    part(loadHashrateSeries(market, '1y'), 'hashrate history', missing),
    part(market.difficultyAdjustment(), 'difficulty adjustment', missing),
    part(loadPools(market, '1w'), 'pool stats', missing),
    part(loadHashpriceHistory(market), 'hashprice history', missing),
    // Only recorded for the hashrate chart: a headline without it is still whole.
    part(market.network(), 'network hashrate', []),
  ]);
  if (!inputs && !hashrate && !adj && !pools && !history)
    throw new UpstreamError('headline', `No data could be had: ${missing.join('; ')}.`);
  const h: PartialHeadline = { atMs: nowMs, missing };
  const provenance: Provenance[] = [];
  const anchorSec = inputs?.tipTimeSec ?? hashrate?.points.at(-1)?.t ?? Math.floor(nowMs / 1000);
  h.tipTimeSec = anchorSec;
  if (inputs) {
    const btcPerPhDay = hashpriceBtcPerPhDay(inputs);
    h.height = inputs.height;
    h.difficulty = inputs.difficulty;
    h.hashpriceBtcPerPhDay = btcPerPhDay;
    h.feeSharePercent = feeShare(inputs.subsidyBtc, inputs.avgFeesBtc) * 100;
    if (inputs.priceUsd !== undefined) {
      h.priceUsd = inputs.priceUsd;
      h.hashpriceUsdPerPhDay = btcPerPhDay * inputs.priceUsd;
    } else {
      missing.push(inputs.missing.price ?? 'USD price');
    }
    if (inputs.missing.fees) {
      const figures: DegradableFigure[] = ['hashpriceUsdPerPhDay', 'hashpriceBtcPerPhDay', 'feeSharePercent'];
      h.degraded = Object.fromEntries(figures.map((f) => [f, inputs.missing.fees!]));
    }
    provenance.push(...inputs.provenance);
  }
  if (hashrate) {
    const trend = hashrateTrend(hashrate.points, anchorSec);
    h.hashrate7d = trend.avg7d;
    h.hashrate7dChange7dPercent = trend.change7dPercent;
    h.hashrate7dChange30dPercent = trend.change30dPercent;
    h.ribbons = hashRibbons(hashrate.points).state;
    provenance.push(...hashrate.provenance);
  }
  if (adj) {
    h.difficultyChangePercent = retargetSummary(adj.value, nowMs).estimatedChangePercent;
    h.lastRetarget = { timeSec: adj.value.previousTimeSec, changePercent: adj.value.previousRetargetPercent };
    provenance.push({ what: 'difficulty adjustment', sourced: adj });
  }
  if (pools) {
    const concentration = poolConcentration(pools.value.pools);
    h.topPool = { name: concentration.top1.name, sharePercent: concentration.top1.share * 100 };
    h.pools1w = concentration.shares.map((s) => ({ name: s.name, sharePercent: s.share * 100 }));
    h.nakamoto = concentration.nakamoto;
    provenance.push({ what: 'pool stats', sourced: pools });
  }
  if (history) {
    h.hashpriceHistory = beforeDayOf(history.usd, anchorSec);
    provenance.push(...history.provenance);
  }
  // Kept out of the provenance: it is no input of the headline's figures, only recorded.
  if (network && !network.stale && network.value.hashrate > 0)
    h.hashrateEstimate = { hashrate: network.value.hashrate, source: network.source };
  h.sources = [...new Set(provenance.map((p) => p.sourced.source))];
  h.stale = provenance.some((p) => p.sourced.stale);
  return { headline: h, provenance, warnings: inputs?.warnings ?? [] };
}

const REQUIRED: (keyof Headline)[] = [
  'height',
  'difficulty',
  'hashpriceUsdPerPhDay',
  'hashpriceBtcPerPhDay',
  'priceUsd',
  'hashrate7d',
  'lastRetarget',
  'feeSharePercent',
  'topPool',
  'pools1w',
  'nakamoto',
  'ribbons',
  'hashpriceHistory',
];

/** The whole headline, as alert rules need it; an UpstreamError naming what is missing otherwise. */
export async function loadHeadline(market: Market, nowMs: number): Promise<LoadedHeadline> {
  const { headline, provenance, warnings } = await loadHeadlineParts(market, nowMs);
  if (headline.missing.length || REQUIRED.some((k) => headline[k] === undefined)) {
    throw new UpstreamError('headline', `Headline incomplete: ${headline.missing.join('; ')}.`);
  }
  const { missing: _complete, ...complete } = headline;
  return { headline: complete as Headline, provenance, warnings };
}
