/**
 * Hashprice as defined by Luxor's Hashrate Index: expected miner revenue per unit of hashrate per
 * day, derived from difficulty (not from a noisy hashrate estimate).
 */
import type { RewardStats } from '../market.ts';
import { HASHES_PER_DIFF1, PH, SATS_PER_BTC, SECONDS_PER_DAY, TARGET_BLOCK_SECONDS } from './constants.ts';

export interface HashpriceInput {
  difficulty: number;
  subsidyBtc: number;
  /** Mean fees per block (BTC), usually over the last 144 blocks. */
  avgFeesBtc: number;
  priceUsd: number;
}

export interface Hashprice {
  btcPerPhDay: number;
  usdPerPhDay: number;
  btcPerThDay: number;
  usdPerThDay: number;
}

function assertDifficulty(difficulty: number): void {
  if (!(difficulty > 0) || !Number.isFinite(difficulty)) throw new RangeError(`difficulty must be a positive number, got ${difficulty}`);
}

/** Expected blocks found per day by 1 PH/s at difficulty D: 86400 × 1e15 / (D × 2^32). */
export function blocksPerPhDay(difficulty: number): number {
  assertDifficulty(difficulty);
  return (SECONDS_PER_DAY * PH) / (difficulty * HASHES_PER_DIFF1);
}

/** BTC earned per PH/s per day: needs no price, so it stands when the USD price is unavailable. */
export function hashpriceBtcPerPhDay(i: Omit<HashpriceInput, 'priceUsd'>): number {
  return blocksPerPhDay(i.difficulty) * (i.subsidyBtc + i.avgFeesBtc);
}

export function hashprice(i: HashpriceInput): Hashprice {
  const btcPerPhDay = hashpriceBtcPerPhDay(i);
  const usdPerPhDay = btcPerPhDay * i.priceUsd;
  return { btcPerPhDay, usdPerPhDay, btcPerThDay: btcPerPhDay / 1000, usdPerThDay: usdPerPhDay / 1000 };
}

/** Network hashrate (H/s) that would find blocks every 600 s on average at difficulty D. */
export function impliedHashrate(difficulty: number): number {
  assertDifficulty(difficulty);
  return (difficulty * HASHES_PER_DIFF1) / TARGET_BLOCK_SECONDS;
}

/** Fees as a fraction (0..1) of miner revenue per block; 0 when there is no revenue at all. */
export function feeShare(subsidyBtc: number, avgFeesBtc: number): number {
  const revenue = subsidyBtc + avgFeesBtc;
  return revenue > 0 ? avgFeesBtc / revenue : 0;
}

/** Mean fees per block (BTC) over the block range of a reward-stats answer (both ends inclusive). */
export function avgFeesBtcFromRewardStats(s: RewardStats): number {
  const blocks = s.endBlock - s.startBlock + 1;
  if (blocks <= 0) throw new RangeError(`reward stats cover no blocks (${s.startBlock}..${s.endBlock})`);
  return s.totalFeeSats / blocks / SATS_PER_BTC;
}
