/**
 * What each upstream body must look like, and how it maps to the normalised types. Numbers may arrive
 * as strings (mempool's reward sums, Coinbase's rates, blockchain.info's plain text); they are accepted
 * only when the whole string is a finite decimal number.
 *
 * Lists are validated row by row (BodySchema): one odd row (mempool's genesis difficulty row, a day it
 * indexed no block, a placeholder price) is dropped or clamped and reported through `drop`, and the rest
 * is answered. A body is rejected only when what a reply needs is missing: no valid row at all where
 * rows were sent, or a required figure that is only a placeholder.
 */
import { z } from 'zod';
import type {
  ChainTip,
  DifficultyAdjustment,
  DifficultyPoint,
  FeeHistoryPoint,
  HashrateHistory,
  HashratePoint,
  PoolHistoryPoint,
  PoolStats,
  PoolWindow,
  PricePoint,
  Prices,
  RecommendedFees,
  RewardHistoryPoint,
  RewardStats,
} from '../core/market.ts';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

const numeric = z.union([z.number(), z.string().trim().regex(DECIMAL).transform(Number)]).pipe(z.number());
const positive = numeric.pipe(z.number().positive());
const nonNegative = numeric.pipe(z.number().nonnegative());
const height = numeric.pipe(z.number().int().nonnegative());
const currencyCode = /^[A-Z]{3}$/;

/** Called once per dropped or clamped row (or placeholder figure), with what and why, for the log. */
export type Drop = (note: string) => void;

type SafeParsed<T> = { success: true; data: T } | { success: false; error: { message: string; at: string; placeholder: boolean } };

/** A body read by hand (rows one by one) rather than by one zod schema; same parse/safeParse surface. */
export class BodySchema<T> {
  constructor(private readonly read: (data: unknown, drop: Drop) => T) {}

  parse(data: unknown, drop: Drop = () => {}): T {
    return this.read(data, drop);
  }

  safeParse(data: unknown, drop: Drop = () => {}): SafeParsed<T> {
    try {
      return { success: true, data: this.read(data, drop) };
    } catch (err) {
      if (err instanceof z.ZodError) {
        const issue = err.issues[0];
        return { success: false, error: { message: issue?.message ?? 'invalid', at: issue?.path.join('.') ?? '', placeholder: false } };
      }
      if (err instanceof BodyRejected) return { success: false, error: { message: err.message, at: err.at, placeholder: err.placeholder } };
      throw err;
    }
  }
}

/**
 * The body lacks what a reply needs: a required figure is only a placeholder (`placeholder`, a state of
 * the server worth naming to users), or no row is valid (a changed API: "unexpected response shape").
 */
class BodyRejected extends Error {
  constructor(
    message: string,
    readonly at = '',
    readonly placeholder = true,
  ) {
    super(message);
    this.name = 'BodyRejected';
  }
}

function issueOf(err: z.ZodError): string {
  const issue = err.issues[0];
  return issue ? `${issue.path.join('.') || 'row'}: ${issue.message}` : 'invalid';
}

/**
 * The valid rows of a list; each invalid one is reported and skipped. Rejects the body when rows were
 * sent and none is valid: that is a changed API, not an odd row.
 */
function rows<T>(list: readonly unknown[], row: z.ZodType<T>, what: string, drop: Drop): T[] {
  const kept: T[] = [];
  let firstProblem = '';
  list.forEach((raw, i) => {
    const parsed = row.safeParse(raw);
    if (parsed.success) {
      kept.push(parsed.data);
      return;
    }
    const problem = issueOf(parsed.error);
    firstProblem ||= problem;
    drop(`${what}[${i}] dropped (${problem}): ${JSON.stringify(raw)?.slice(0, 120)}`);
  });
  if (list.length > 0 && kept.length === 0) throw new BodyRejected(`no valid ${what} row (${firstProblem})`, what, false);
  return kept;
}

/** Plain-text number (blockchain.info, /blocks/tip/height). */
export const plainNumber = z.string().trim().regex(DECIMAL).transform(Number).pipe(z.number().positive());

const blockRow = z.object({ height, timestamp: positive, difficulty: positive });

export const blocksSchema = new BodySchema<ChainTip>((data, drop) => {
  const blocks = rows(z.array(z.unknown()).min(1).parse(data), blockRow, 'blocks', drop);
  // mempool sends newest first, but the order is not promised: the tip is the highest block.
  const tip = blocks.reduce((a, b) => (b.height > a.height ? b : a));
  return { height: tip.height, timestampSec: tip.timestamp, difficulty: tip.difficulty };
});

/**
 * The currencies mempool quotes. Coinbase quotes hundreds, crypto included (ETH, SOL…), so its answer is
 * cut to these: a fallback must not change which currencies users see.
 */
const QUOTED_CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'CHF', 'AUD', 'JPY'] as const;

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

/**
 * mempool serves its last good prices; a currency it never had a price for stays -1, and a fresh instance
 * whose feeds all failed sends `time: 0` and every currency -1 (backend/src/tasks/price-updater.ts
 * `getEmptyPricesObj`, `getLatestPrices`). Placeholder currencies are dropped; without a USD price the
 * body is no answer at all (the fallback is asked).
 */
export const mempoolPricesSchema = new BodySchema<Prices>((data, drop) => {
  const body = z.looseObject({ time: numeric, USD: numeric }).parse(data);
  if (!(body.USD > 0) || !(body.time > 0))
    throw new BodyRejected(`no price (USD ${body.USD}, time ${body.time}: mempool's price feeds are down)`, 'USD');
  const rates = ratesFrom(body);
  const placeholders = QUOTED_CURRENCIES.filter((c) => c in body && rates[c] === undefined);
  if (placeholders.length) drop(`${placeholders.join(', ')} dropped (placeholder ${placeholders.map((c) => String(body[c])).join(', ')})`);
  return { timeSec: body.time, rates };
});

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
    // 0 until mempool has read the last retarget from its node (backend/src/api/blocks.ts
    // `lastDifficultyAdjustmentTime = 0` while headers and blocks are not in sync): every estimate in the
    // body is then computed from 1970 and means nothing, so the body is no answer.
    previousTime: numeric.pipe(z.number().positive('previousTime is 0: mempool has not synced its node yet')),
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

/**
 * Height-0 row of mempool's difficulty list: `$indexDifficultyAdjustments` saves the genesis block with
 * `adjustment: 0.0` (mempool/mempool backend/src/api/mining/mining.ts); there is no earlier epoch to
 * compare with, so the row keeps its difficulty and gets no adjustment.
 */
const difficultyRow = z
  .object({ time: positive, height, difficulty: positive, adjustment: numeric })
  .transform((d, ctx): DifficultyPoint | typeof z.NEVER => {
    if (d.adjustment > 0) return { timeSec: d.time, height: d.height, difficulty: d.difficulty, adjustment: d.adjustment };
    if (d.height === 0) return { timeSec: d.time, height: d.height, difficulty: d.difficulty };
    ctx.addIssue({ code: 'custom', message: `adjustment ${d.adjustment} is not a ratio`, path: ['adjustment'] });
    return z.NEVER;
  });

/**
 * mempool fills days on which it indexed no block with avgHashrate 0 (backend/src/api/mining/mining.ts
 * `$generateNetworkHashrateHistory`: `blockCount === 0 ? 0 : …`): a placeholder, not a measurement.
 */
const hashrateRow = z
  .object({ timestamp: positive, avgHashrate: positive })
  .transform((p): HashratePoint => ({ timestampSec: p.timestamp, avgHashrate: p.avgHashrate }));

/** 0 is what mempool sends for the current figures while its Bitcoin Core is unreachable (mining-routes.ts). */
const placeholderZero = numeric.transform((v) => (v > 0 ? v : undefined));

export const hashrateSchema = new BodySchema<HashrateHistory>((data, drop) => {
  const body = z
    .object({
      hashrates: z.array(z.unknown()),
      difficulty: z.array(z.unknown()),
      currentHashrate: placeholderZero,
      currentDifficulty: placeholderZero,
    })
    .parse(data);
  const hashrates = rows(body.hashrates, hashrateRow, 'hashrates', drop).sort((a, b) => a.timestampSec - b.timestampSec);
  const difficulty = rows(body.difficulty, difficultyRow, 'difficulty', drop).sort((a, b) => a.timeSec - b.timeSec);
  if (body.currentHashrate === undefined || body.currentDifficulty === undefined) {
    drop('currentHashrate/currentDifficulty are 0 (mempool cannot reach its node); history kept, current figures unknown');
  }
  return {
    hashrates,
    difficulty,
    ...(body.currentHashrate !== undefined && { currentHashrate: body.currentHashrate }),
    ...(body.currentDifficulty !== undefined && { currentDifficulty: body.currentDifficulty }),
  };
});

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

/** A price column that is 0 or -1 is mempool's "no price linked" placeholder: the row is kept, its USD is unknown. */
const usdOrUnknown = numeric.transform((v) => (v > 0 ? v : undefined));

const rewardRow = z.object({ avgHeight: nonNegative, timestamp: positive, avgRewards: positive, USD: usdOrUnknown }).transform(
  (p): RewardHistoryPoint => ({
    avgHeight: p.avgHeight,
    timestampSec: p.timestamp,
    avgRewardsSats: p.avgRewards,
    ...(p.USD !== undefined && { usd: p.USD }),
  }),
);

const feeRow = z.object({ avgHeight: nonNegative, timestamp: positive, avgFees: nonNegative, USD: usdOrUnknown }).transform(
  (p): FeeHistoryPoint => ({
    avgHeight: p.avgHeight,
    timestampSec: p.timestamp,
    avgFeesSats: p.avgFees,
    ...(p.USD !== undefined && { usd: p.USD }),
  }),
);

export const rewardHistorySchema = new BodySchema<RewardHistoryPoint[]>((data, drop) =>
  rows(z.array(z.unknown()).parse(data), rewardRow, 'rewards', drop).sort((a, b) => a.timestampSec - b.timestampSec),
);

export const feeHistorySchema = new BodySchema<FeeHistoryPoint[]>((data, drop) =>
  rows(z.array(z.unknown()).parse(data), feeRow, 'fees', drop).sort((a, b) => a.timestampSec - b.timestampSec),
);

/**
 * mempool keeps only rows with USD >= 0 (backend/src/repositories/PricesRepository.ts
 * `$getHistoricalPrices`), but its sanity check stores 0 for an out-of-range price: a $0 day would read as
 * an all-time low, so such rows are dropped.
 */
const priceRow = z.object({ time: positive, USD: positive }).transform((p): PricePoint => ({ timeSec: p.time, usd: p.USD }));

export const priceHistorySchema = new BodySchema<PricePoint[]>((data, drop) => {
  const body = z.object({ prices: z.array(z.unknown()).min(1) }).parse(data);
  return rows(body.prices, priceRow, 'prices', drop).sort((a, b) => a.timeSec - b.timeSec);
});

const poolHistoryRow = z
  .object({
    timestamp: positive,
    avgHashrate: nonNegative,
    share: numeric.pipe(z.number().min(0).max(1)),
    poolName: z.string().trim().min(1),
  })
  .transform((p): PoolHistoryPoint => ({ timestampSec: p.timestamp, poolName: p.poolName, share: p.share, avgHashrate: p.avgHashrate }));

/**
 * mempool's /v1/mining/hashrate/pools/{interval} (mempool/mempool backend/src/repositories/
 * HashratesRepository.ts, $getPoolsWeeklyHashrate): rows of { timestamp, avgHashrate, share,
 * poolName }, one per pool per week, for the pools that found blocks in the last week.
 */
export const poolHistorySchema = new BodySchema<PoolHistoryPoint[]>((data, drop) =>
  rows(z.array(z.unknown()).parse(data), poolHistoryRow, 'pool shares', drop).sort((a, b) => a.timestampSec - b.timestampSec),
);
