/**
 * Assembles the Headline (src/core/headline.ts) from the market: one set of upstream calls per
 * poll, whatever the number of users, digests or alert rules that read it.
 */
import type { Headline } from '../core/headline.ts';
import type { Provenance } from '../core/freshness.ts';
import { feeShare, hashRibbons, hashprice, hashrateTrend, poolConcentration } from '../core/metrics/index.ts';
import type { Market } from '../sources/types.ts';
import { loadHashpriceInputs } from './hashprice-inputs.ts';
import { loadPools } from './pools.ts';
import { loadHashpriceHistory, loadHashrateSeries } from './history.ts';

export interface LoadedHeadline {
  headline: Headline;
  provenance: Provenance[];
  warnings: string[];
}

export async function loadHeadline(market: Market, nowMs: number): Promise<LoadedHeadline> {
  const [inputs, hashrate, adj, pools, history] = await Promise.all([
    loadHashpriceInputs(market),
    loadHashrateSeries(market, '1y'),
    market.difficultyAdjustment(),
    loadPools(market, '1w'),
    loadHashpriceHistory(market),
  ]);
  const hp = hashprice(inputs);
  const anchorSec = inputs.tipTimeSec ?? hashrate.points.at(-1)?.t ?? Math.floor(nowMs / 1000);
  const trend = hashrateTrend(hashrate.points, anchorSec);
  const concentration = poolConcentration(pools.value.pools);
  const provenance: Provenance[] = [
    ...inputs.provenance,
    ...hashrate.provenance,
    { what: 'difficulty adjustment', sourced: adj },
    { what: 'pool stats', sourced: pools },
    ...history.provenance,
  ];
  const headline: Headline = {
    atMs: nowMs,
    height: inputs.height,
    tipTimeSec: anchorSec,
    hashpriceUsdPerPhDay: hp.usdPerPhDay,
    hashpriceBtcPerPhDay: hp.btcPerPhDay,
    priceUsd: inputs.priceUsd,
    hashrate7d: trend.avg7d,
    hashrate7dChange7dPercent: trend.change7dPercent,
    hashrate7dChange30dPercent: trend.change30dPercent,
    difficulty: inputs.difficulty,
    difficultyChangePercent: adj.value.difficultyChangePercent,
    lastRetarget: { timeSec: adj.value.previousTimeSec, changePercent: adj.value.previousRetargetPercent },
    feeSharePercent: feeShare(inputs.subsidyBtc, inputs.avgFeesBtc) * 100,
    topPool: { name: concentration.top1.name, sharePercent: concentration.top1.share * 100 },
    pools1w: concentration.shares.map((s) => ({ name: s.name, sharePercent: s.share * 100 })),
    nakamoto: concentration.nakamoto,
    ribbons: hashRibbons(hashrate.points).state,
    hashpriceHistory: [...history.usd.filter((p) => p.t < anchorSec), { t: anchorSec, v: hp.usdPerPhDay }],
    sources: [...new Set(provenance.map((p) => p.sourced.source))],
    stale: provenance.some((p) => p.sourced.stale),
  };
  return { headline, provenance, warnings: inputs.warnings };
}
