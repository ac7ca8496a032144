/**
 * Gathers the four inputs of hashprice (difficulty, subsidy, average fees, price), taking what the
 * user supplied as a what-if and fetching only the rest. With all four supplied, no network is used.
 */
import { avgFeesBtcFromRewardStats, subsidyBtc } from '../core/metrics/index.ts';
import type { Provenance } from '../core/freshness.ts';
import { UpstreamError, type Market } from '../sources/types.ts';

export interface WhatIf {
  price?: number;
  difficulty?: number;
  /** BTC per block. */
  fees?: number;
  height?: number;
}

export interface HashpriceInputs {
  height: number;
  difficulty: number;
  subsidyBtc: number;
  avgFeesBtc: number;
  priceUsd: number;
  /** Tip block time when the tip was fetched (s). */
  tipTimeSec?: number;
  provenance: Provenance[];
  /** Plain-language caveats, e.g. fees missing so the figure is subsidy-only. */
  warnings: string[];
  whatIf: (keyof WhatIf)[];
}

async function tipOrNetwork(market: Market): Promise<{ height: number; difficulty: number; tipTimeSec?: number; provenance: Provenance }> {
  try {
    const tip = await market.tip();
    return { height: tip.value.height, difficulty: tip.value.difficulty, tipTimeSec: tip.value.timestampSec, provenance: { what: 'block tip', sourced: tip } };
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err;
    const net = await market.network();
    return { height: net.value.height, difficulty: net.value.difficulty, provenance: { what: 'difficulty', sourced: net } };
  }
}

export async function loadHashpriceInputs(market: Market, given: WhatIf = {}): Promise<HashpriceInputs> {
  const whatIf = (Object.keys(given) as (keyof WhatIf)[]).filter((k) => given[k] !== undefined);
  const provenance: Provenance[] = [];
  const warnings: string[] = [];
  const needTip = given.height === undefined || given.difficulty === undefined;
  const [tip, fees, prices] = await Promise.all([
    needTip ? tipOrNetwork(market) : undefined,
    given.fees === undefined
      ? market.rewardStats(144).catch((err: unknown) => {
          if (err instanceof UpstreamError) return err;
          throw err;
        })
      : undefined,
    given.price === undefined ? market.prices() : undefined,
  ]);
  if (tip) provenance.push(tip.provenance);
  let avgFeesBtc = given.fees ?? 0;
  if (fees instanceof UpstreamError) {
    warnings.push(`Fees unavailable (${fees.message}); figures count the block subsidy only.`);
  } else if (fees) {
    avgFeesBtc = avgFeesBtcFromRewardStats(fees.value);
    provenance.push({ what: 'fees (last 144 blocks)', sourced: fees });
  }
  if (prices) provenance.push({ what: 'price', sourced: prices });
  const height = given.height ?? tip!.height;
  return {
    height,
    difficulty: given.difficulty ?? tip!.difficulty,
    subsidyBtc: subsidyBtc(height),
    avgFeesBtc,
    priceUsd: given.price ?? prices!.value.rates.USD!,
    tipTimeSec: tip?.tipTimeSec,
    provenance,
    warnings,
    whatIf,
  };
}
