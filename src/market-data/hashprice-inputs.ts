/**
 * Gathers the four inputs of hashprice (difficulty, subsidy, average fees, price), taking what the
 * user supplied as a what-if and fetching only the rest. With all four supplied, no network is used.
 *
 * Two inputs may be missing without sinking the answer, and each is said so rather than hidden:
 * without the fees every figure counts the subsidy only (degraded: it reads lower than the truth),
 * and without a USD price the BTC figures still stand while the USD ones are unavailable.
 */
import { avgFeesBtcFromRewardStats, subsidyBtc } from '../core/metrics/index.ts';
import type { Provenance } from '../core/freshness.ts';
import { UpstreamError, type Market } from '../core/market.ts';

export interface WhatIf {
  price?: number;
  difficulty?: number;
  /** BTC per block. */
  fees?: number;
  height?: number;
}

/** Inputs that can be missing, with the reason in plain words (user-safe). */
interface MissingInputs {
  /** Fees of the last 144 blocks: figures that include fees are degraded (subsidy only). */
  fees?: string;
  /** The USD price: USD figures are unavailable. */
  price?: string;
}

export interface MiningInputs {
  height: number;
  difficulty: number;
  subsidyBtc: number;
  /** 0 when the fees are missing (see `missing.fees`). */
  avgFeesBtc: number;
  /** Undefined when no price source answered (see `missing.price`). */
  priceUsd?: number;
  /** Tip block time when the tip was fetched (s); absent for a what-if height or a fallback source. */
  tipTimeSec?: number;
  provenance: Provenance[];
  missing: MissingInputs;
  /** Plain-language caveats, e.g. fees missing so the figure is subsidy-only. */
  warnings: string[];
  whatIf: (keyof WhatIf)[];
}

export type HashpriceInputs = MiningInputs & { priceUsd: number };

async function tipOrNetwork(market: Market): Promise<{ height: number; difficulty: number; tipTimeSec?: number; provenance: Provenance }> {
  try {
    const tip = await market.tip();
    return {
      height: tip.value.height,
      difficulty: tip.value.difficulty,
      tipTimeSec: tip.value.timestampSec,
      provenance: { what: 'block tip', sourced: tip },
    };
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err;
    const net = await market.network();
    return { height: net.value.height, difficulty: net.value.difficulty, provenance: { what: 'difficulty', sourced: net } };
  }
}

const upstreamFailure = (err: unknown): UpstreamError => {
  if (err instanceof UpstreamError) return err;
  throw err;
};

/** The inputs with the USD price optional: for answers that have BTC figures worth showing alone. */
export async function loadMiningInputs(market: Market, given: WhatIf = {}): Promise<MiningInputs> {
  const whatIf = (Object.keys(given) as (keyof WhatIf)[]).filter((k) => given[k] !== undefined);
  const provenance: Provenance[] = [];
  const warnings: string[] = [];
  const missing: MissingInputs = {};
  const needTip = given.height === undefined || given.difficulty === undefined;
  const [tip, fees, prices] = await Promise.all([
    needTip ? tipOrNetwork(market) : undefined,
    given.fees === undefined ? market.rewardStats(144).catch(upstreamFailure) : undefined,
    given.price === undefined ? market.prices().catch(upstreamFailure) : undefined,
  ]);
  if (tip) provenance.push(tip.provenance);
  let avgFeesBtc = given.fees ?? 0;
  if (fees instanceof UpstreamError) {
    missing.fees = `fees of the last 144 blocks unavailable (${fees.message})`;
    warnings.push(`Fees unavailable (${fees.message}); figures count the block subsidy only, so they read low.`);
  } else if (fees) {
    avgFeesBtc = avgFeesBtcFromRewardStats(fees.value);
    provenance.push({ what: 'fees (last 144 blocks)', sourced: fees });
  }
  let priceUsd = given.price;
  if (prices instanceof UpstreamError) {
    missing.price = `USD price unavailable (${prices.message})`;
  } else if (prices) {
    priceUsd = prices.value.rates.USD;
    provenance.push({ what: 'price', sourced: prices });
  }
  const height = given.height ?? tip!.height;
  return {
    height,
    difficulty: given.difficulty ?? tip!.difficulty,
    subsidyBtc: subsidyBtc(height),
    avgFeesBtc,
    priceUsd,
    // A what-if height has no block behind it, so no mined time either.
    tipTimeSec: given.height === undefined ? tip?.tipTimeSec : undefined,
    provenance,
    missing,
    warnings,
    whatIf,
  };
}

/** The inputs with a USD price, or the price source's failure (for answers that are all USD). */
export async function loadHashpriceInputs(market: Market, given: WhatIf = {}): Promise<HashpriceInputs> {
  const inputs = await loadMiningInputs(market, given);
  if (inputs.priceUsd === undefined) throw new UpstreamError('price', inputs.missing.price ?? 'USD price unavailable');
  return inputs as HashpriceInputs;
}
