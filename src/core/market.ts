/**
 * The Market port: what the rest of the bot may ask of upstream data, and the domain types it
 * answers in. src/sources implements it; core and everything above depend only on this file. Units are normalised here, once:
 * hashrates in H/s, amounts in sats unless a name says BTC, times in ms since the epoch unless a
 * name says Sec. Every answer carries where it came from and how old it is.
 */

export interface Sourced<T> {
  value: T;
  /** Human name of the source that produced this value, e.g. "mempool.space" or "Coinbase". */
  source: string;
  /** When this value was fetched from upstream (ms). */
  fetchedAt: number;
  /** True when a refresh failed and this is the last good value. */
  stale: boolean;
  /** Why it is stale or why a fallback was used, e.g. "mempool.space: HTTP 500". */
  note?: string;
}

/** No value at all could be had (never fetched and every source failed). Message is user-safe. */
export class UpstreamError extends Error {
  constructor(
    readonly resource: string,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export interface DifficultyAdjustment {
  progressPercent: number;
  /** Estimated change at the next retarget, percent (5.9 = +5.9 %). */
  difficultyChangePercent: number;
  estimatedRetargetDate: number;
  remainingBlocks: number;
  remainingTimeMs: number;
  /** Change at the last retarget, percent. */
  previousRetargetPercent: number;
  previousTimeSec: number;
  nextRetargetHeight: number;
  /** Average block interval this epoch (ms). */
  timeAvgMs: number;
}

export interface ChainTip {
  height: number;
  /** Block header time of the tip (s). */
  timestampSec: number;
  difficulty: number;
}

export interface RewardStats {
  startBlock: number;
  endBlock: number;
  /** Subsidy + fees over the range, sats. */
  totalRewardSats: number;
  totalFeeSats: number;
  totalTx: number;
}

export interface Prices {
  timeSec: number;
  /** Whole units of each currency per BTC; always has USD. */
  rates: Record<string, number>;
}

export interface HashratePoint {
  timestampSec: number;
  avgHashrate: number;
}
export interface DifficultyPoint {
  timeSec: number;
  height: number;
  difficulty: number;
  /** Ratio, 1.0123 = +1.23 %; absent on the genesis row, which has no earlier epoch. */
  adjustment?: number;
}
export interface HashrateHistory {
  hashrates: HashratePoint[];
  difficulty: DifficultyPoint[];
  /** Absent while mempool cannot reach its own node (it sends 0 then). */
  currentHashrate?: number;
  currentDifficulty?: number;
}

export type PoolWindow = '24h' | '3d' | '1w' | '1m' | '3m' | '6m' | '1y';
export interface PoolStats {
  window: PoolWindow;
  blockCount: number;
  pools: { name: string; slug: string; blockCount: number }[];
}

export interface RecommendedFees {
  fastestFee: number;
  halfHourFee: number;
  hourFee: number;
  economyFee: number;
  minimumFee: number;
}

export type HistoryPeriod = '1w' | '1m' | '3m' | '6m' | '1y' | '2y' | '3y' | 'all';

/** One point of mempool's per-interval block reward history (rewards include fees). */
export interface RewardHistoryPoint {
  avgHeight: number;
  timestampSec: number;
  avgRewardsSats: number;
  /** The price mempool linked to these blocks (the next price row after them); absent when it had none. */
  usd?: number;
}
export interface FeeHistoryPoint {
  avgHeight: number;
  timestampSec: number;
  avgFeesSats: number;
  usd?: number;
}
/** One pool's share of one week's blocks (mempool's weekly pool hashrate index). */
export interface PoolHistoryPoint {
  /** End of the week (Monday 00:00 UTC), seconds. */
  timestampSec: number;
  poolName: string;
  /** Fraction of that week's blocks, 0..1. */
  share: number;
  /** The network hashrate times the share, H/s. */
  avgHashrate: number;
}
export interface PricePoint {
  timeSec: number;
  usd: number;
}

/** Network-wide figures that have an independent fallback when mempool is down. */
export interface NetworkStats {
  height: number;
  difficulty: number;
  /** Current hashrate estimate, H/s. */
  hashrate: number;
}

export interface Market {
  tip(): Promise<Sourced<ChainTip>>;
  network(): Promise<Sourced<NetworkStats>>;
  difficultyAdjustment(): Promise<Sourced<DifficultyAdjustment>>;
  /** Reward stats of the last `blocks` blocks (144 for the daily average). */
  rewardStats(blocks: number): Promise<Sourced<RewardStats>>;
  prices(): Promise<Sourced<Prices>>;
  hashrateHistory(period: HistoryPeriod): Promise<Sourced<HashrateHistory>>;
  pools(window: PoolWindow): Promise<Sourced<PoolStats>>;
  recommendedFees(): Promise<Sourced<RecommendedFees>>;
  rewardHistory(period: HistoryPeriod): Promise<Sourced<RewardHistoryPoint[]>>;
  feeHistory(period: HistoryPeriod): Promise<Sourced<FeeHistoryPoint[]>>;
  /**
   * Weekly pool shares over the period, oldest week first, for the pools that found blocks in the
   * last week (mempool's selection): how concentration evolved.
   */
  poolHistory(period: HistoryPeriod): Promise<Sourced<PoolHistoryPoint[]>>;
  /** Daily-ish USD price history, for drawdown from the all-time high and price changes. */
  priceHistory(): Promise<Sourced<PricePoint[]>>;
  /** Upstream HTTP calls made so far, per resource key (for tests and the benchmark). */
  callCounts(): Record<string, number>;
  /** The sources this market is configured to ask, by the names replies credit (absent on stand-ins). */
  readonly sourceNames?: { primary: string; priceFallback?: string; chainFallback?: string };
}
