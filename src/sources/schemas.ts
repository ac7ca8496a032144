/**
 * What each upstream body must look like, and how it maps to the normalised types. Numbers may arrive
 * as strings (mempool's reward sums, Coinbase's rates, blockchain.info's plain text); they are accepted
 * only when the whole string is a finite decimal number.
 */
import { z } from 'zod';
import type {
  ChainTip,
  DifficultyAdjustment,
  FeeHistoryPoint,
  HashrateHistory,
  PoolHistoryPoint,
  PoolStats,
  PoolWindow,
  PricePoint,
  Prices,
  RecommendedFees,
  RewardHistoryPoint,
  RewardStats,
} from './types.ts';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const numeric = z.union([z.number(), z.string().trim().regex(DECIMAL).transform(Number)]).pipe(z.number());
const positive = numeric.pipe(z.number().positive());
const nonNegative = numeric.pipe(z.number().nonnegative());
const height = numeric.pipe(z.number().int().nonnegative());
const currencyCode = /^[A-Z]{3}$/;

/** Plain-text number (blockchain.info, /blocks/tip/height). */
export const plainNumber = z.string().trim().regex(DECIMAL).transform(Number).pipe(z.number().positive());

export const blocksSchema = z
  .array(z.object({ height, timestamp: positive, difficulty: positive }))
  .min(1)
  // mempool sends newest first, but the order is not promised: the tip is the highest block.
  .transform((blocks): ChainTip => {
    const tip = blocks.reduce((a, b) => (b.height > a.height ? b : a));
    return { height: tip.height, timestampSec: tip.timestamp, difficulty: tip.difficulty };
  });

/**
 * The currencies mempool quotes. Coinbase quotes hundreds, crypto included (ETH, SOL…), so its answer is
 * cut to these: a fallback must not change which currencies users see.
 */
export const QUOTED_CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'CHF', 'AUD', 'JPY'] as const;

/** Every currency code with a positive rate; other keys (time, BTC itself, zeros for unknown) dropped. */
function ratesFrom(obj: Record<string, unknown>, only?: readonly string[]): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const [code, raw] of Object.entries(obj)) {
    if (!currencyCode.test(code) || code === 'BTC' || (only && !only.includes(code))) continue;
    const parsed = positive.safeParse(raw);
    if (parsed.success) rates[code] = parsed.data;
  }
  return rates;
}

export const mempoolPricesSchema = z
  .looseObject({ time: positive, USD: positive })
  .transform((p): Prices => ({ timeSec: p.time, rates: ratesFrom(p) }));

export const coinbaseRatesSchema = z.object({
  data: z.object({
    currency: z.literal('BTC'),
    rates: z.looseObject({ USD: positive }),
  }),
});
export function coinbasePrices(body: z.infer<typeof coinbaseRatesSchema>, fetchedAtMs: number): Prices {
  return { timeSec: Math.floor(fetchedAtMs / 1000), rates: ratesFrom(body.data.rates, QUOTED_CURRENCIES) };
}

export const difficultyAdjustmentSchema = z
  .object({
    progressPercent: numeric,
    difficultyChange: numeric,
    estimatedRetargetDate: positive,
    remainingBlocks: nonNegative,
    remainingTime: nonNegative,
    previousRetarget: numeric,
    previousTime: positive,
    nextRetargetHeight: height,
    timeAvg: positive,
  })
  .transform(
    (d): DifficultyAdjustment => ({
      progressPercent: d.progressPercent,
      difficultyChangePercent: d.difficultyChange,
      estimatedRetargetDate: d.estimatedRetargetDate,
      remainingBlocks: d.remainingBlocks,
      remainingTimeMs: d.remainingTime,
      previousRetargetPercent: d.previousRetarget,
      previousTimeSec: d.previousTime,
      nextRetargetHeight: d.nextRetargetHeight,
      timeAvgMs: d.timeAvg,
    }),
  );

export const rewardStatsSchema = z
  .object({ startBlock: height, endBlock: height, totalReward: nonNegative, totalFee: nonNegative, totalTx: nonNegative })
  .refine((s) => s.endBlock >= s.startBlock, 'endBlock before startBlock')
  .transform(
    (s): RewardStats => ({
      startBlock: s.startBlock,
      endBlock: s.endBlock,
      totalRewardSats: s.totalReward,
      totalFeeSats: s.totalFee,
      totalTx: s.totalTx,
    }),
  );

export const hashrateSchema = z
  .object({
    hashrates: z.array(z.object({ timestamp: positive, avgHashrate: nonNegative })),
    difficulty: z.array(z.object({ time: positive, height, difficulty: positive, adjustment: positive })),
    currentHashrate: positive,
    currentDifficulty: positive,
  })
  .transform(
    (h): HashrateHistory => ({
      hashrates: h.hashrates.map((p) => ({ timestampSec: p.timestamp, avgHashrate: p.avgHashrate })).sort((a, b) => a.timestampSec - b.timestampSec),
      difficulty: h.difficulty
        .map((d) => ({ timeSec: d.time, height: d.height, difficulty: d.difficulty, adjustment: d.adjustment }))
        .sort((a, b) => a.timeSec - b.timeSec),
      currentHashrate: h.currentHashrate,
      currentDifficulty: h.currentDifficulty,
    }),
  );

export const poolsSchema = z.object({
  blockCount: height,
  pools: z.array(z.object({ name: z.string().min(1), slug: z.string(), blockCount: height })),
});
export function poolStats(window: PoolWindow, body: z.infer<typeof poolsSchema>): PoolStats {
  return {
    window,
    blockCount: body.blockCount,
    pools: body.pools.map((p) => ({ name: p.name, slug: p.slug, blockCount: p.blockCount })).sort((a, b) => b.blockCount - a.blockCount),
  };
}

export const recommendedFeesSchema = z.object({
  fastestFee: nonNegative,
  halfHourFee: nonNegative,
  hourFee: nonNegative,
  economyFee: nonNegative,
  minimumFee: nonNegative,
}) satisfies z.ZodType<RecommendedFees, unknown>;

export const rewardHistorySchema = z
  .array(z.object({ avgHeight: nonNegative, timestamp: positive, avgRewards: nonNegative, USD: numeric }))
  .transform((points): RewardHistoryPoint[] =>
    points
      .map((p) => ({ avgHeight: p.avgHeight, timestampSec: p.timestamp, avgRewardsSats: p.avgRewards, usd: p.USD }))
      .sort((a, b) => a.timestampSec - b.timestampSec),
  );

export const feeHistorySchema = z
  .array(z.object({ avgHeight: nonNegative, timestamp: positive, avgFees: nonNegative, USD: numeric }))
  .transform((points): FeeHistoryPoint[] =>
    points
      .map((p) => ({ avgHeight: p.avgHeight, timestampSec: p.timestamp, avgFeesSats: p.avgFees, usd: p.USD }))
      .sort((a, b) => a.timestampSec - b.timestampSec),
  );

export const priceHistorySchema = z
  .object({ prices: z.array(z.object({ time: positive, USD: numeric })).min(1) })
  // mempool marks days it has no price for with 0 or -1; a $0 day would read as an all-time low.
  .transform((h): PricePoint[] =>
    h.prices
      .filter((p) => p.USD > 0)
      .map((p) => ({ timeSec: p.time, usd: p.USD }))
      .sort((a, b) => a.timeSec - b.timeSec),
  );

const poolHistoryRow = z.object({
  timestamp: positive,
  avgHashrate: nonNegative,
  share: numeric.pipe(z.number().min(0).max(1)),
  poolName: z.string().trim().min(1),
});

/**
 * mempool's /v1/mining/hashrate/pools/{interval} (mempool/mempool backend/src/repositories/
 * HashratesRepository.ts, $getPoolsWeeklyHashrate): rows of { timestamp, avgHashrate, share,
 * poolName }, one per pool per week. Checked row by row: a malformed row is dropped rather than
 * sinking the history, but a body with rows and none readable is an upstream that changed.
 */
export const poolHistorySchema = z
  .array(z.unknown())
  .transform((rows, ctx): PoolHistoryPoint[] => {
    const points: PoolHistoryPoint[] = [];
    for (const row of rows) {
      const p = poolHistoryRow.safeParse(row);
      if (p.success) points.push({ timestampSec: p.data.timestamp, poolName: p.data.poolName, share: p.data.share, avgHashrate: p.data.avgHashrate });
    }
    if (rows.length > 0 && points.length === 0) ctx.addIssue({ code: 'custom', message: 'no readable pool history row' });
    return points.sort((a, b) => a.timestampSec - b.timestampSec);
  });
