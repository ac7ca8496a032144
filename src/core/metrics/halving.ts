/**
 * The next halving: when it comes at the recent block rate, and what it does to hashprice at today's
 * price, difficulty and fees, including the fees that would make up for the lost subsidy.
 */
import type { DifficultyAdjustment } from '../market.ts';
import { RETARGET_INTERVAL, SATS_PER_BTC } from './constants.ts';
import { hashprice } from './hashprice.ts';
import { nextHalving, subsidyBtc } from './subsidy.ts';

/**
 * mempool switches to a window of the last 504 blocks while fewer than that are in the epoch
 * (mempool/mempool backend/src/api/difficulty-adjustment.ts, calcDifficultyAdjustment): a mean over
 * a handful of blocks is mostly luck.
 */
const MIN_EPOCH_BLOCKS_FOR_RATE = 504;

export interface BlockRate {
  /** Mean seconds between blocks. */
  intervalSec: number;
  /** How many recent blocks the mean is taken over. */
  blocks: number;
  /** 'epoch': mean over the blocks of this difficulty epoch; 'window': mempool's estimate over the last 504 blocks. */
  basis: 'epoch' | 'window';
}

/**
 * The recent block rate from mempool's difficulty-adjustment answer: its `timeAvg` is the mean interval
 * over the blocks mined this epoch; early in an epoch `remainingTime / remainingBlocks` is mempool's
 * interval over the last 504 blocks instead.
 */
export function recentBlockRate(a: DifficultyAdjustment): BlockRate {
  const blocksInEpoch = RETARGET_INTERVAL - a.remainingBlocks;
  if (blocksInEpoch >= MIN_EPOCH_BLOCKS_FOR_RATE || !(a.remainingBlocks > 0) || !(a.remainingTimeMs > 0)) {
    return { intervalSec: a.timeAvgMs / 1000, blocks: blocksInEpoch, basis: 'epoch' };
  }
  return { intervalSec: a.remainingTimeMs / a.remainingBlocks / 1000, blocks: MIN_EPOCH_BLOCKS_FOR_RATE, basis: 'window' };
}

/** A block holds at most 4,000,000 weight units = 1,000,000 vbytes (BIP 141). */
const MAX_BLOCK_VBYTES = 1_000_000;

export interface HalvingInput {
  height: number;
  /** When the block at `height` was mined (s); the ETA counts from there. */
  fromTimeSec: number;
  /** Mean block interval to project with (s). */
  intervalSec: number;
  difficulty: number;
  avgFeesBtc: number;
  priceUsd: number;
}

export interface HalvingOutlook {
  halvingHeight: number;
  blocksLeft: number;
  /** Estimated time of the halving block (ms since the epoch). */
  etaMs: number;
  subsidyNowBtc: number;
  subsidyAfterBtc: number;
  hashpriceNowUsdPerPhDay: number;
  hashpriceAfterUsdPerPhDay: number;
  hashpriceAfterBtcPerPhDay: number;
  /** Change of hashprice across the halving, percent (about −50 % when fees are small). */
  hashpriceChangePercent: number;
  /** Mean fees per block that keep hashprice where it is: subsidy now + fees − subsidy after (BTC). */
  feesToKeepHashpriceBtc: number;
  /** Those fees as a multiple of today's; undefined when today's fees are 0. */
  feesMultiple?: number;
  /** The lowest average fee rate that pays them, since a block holds at most 1,000,000 vB (sat/vB). */
  minFeeRateSatPerVb: number;
  /** Fee share of miner revenue after the halving if fees made up the difference, 0..1. */
  feeShareThen: number;
}

export function halvingOutlook(i: HalvingInput): HalvingOutlook {
  if (!(i.intervalSec > 0) || !Number.isFinite(i.intervalSec))
    throw new RangeError(`block interval must be a positive number of seconds, got ${i.intervalSec}`);
  if (!(i.avgFeesBtc >= 0)) throw new RangeError(`fees per block must be zero or more, got ${i.avgFeesBtc}`);
  const next = nextHalving(i.height);
  const subsidyNowBtc = subsidyBtc(i.height);
  const subsidyAfterBtc = subsidyBtc(next.height);
  const now = hashprice({ difficulty: i.difficulty, subsidyBtc: subsidyNowBtc, avgFeesBtc: i.avgFeesBtc, priceUsd: i.priceUsd });
  const after = hashprice({ difficulty: i.difficulty, subsidyBtc: subsidyAfterBtc, avgFeesBtc: i.avgFeesBtc, priceUsd: i.priceUsd });
  const feesToKeepHashpriceBtc = subsidyNowBtc + i.avgFeesBtc - subsidyAfterBtc;
  return {
    halvingHeight: next.height,
    blocksLeft: next.blocksLeft,
    etaMs: (i.fromTimeSec + next.blocksLeft * i.intervalSec) * 1000,
    subsidyNowBtc,
    subsidyAfterBtc,
    hashpriceNowUsdPerPhDay: now.usdPerPhDay,
    hashpriceAfterUsdPerPhDay: after.usdPerPhDay,
    hashpriceAfterBtcPerPhDay: after.btcPerPhDay,
    hashpriceChangePercent: now.btcPerPhDay > 0 ? (after.btcPerPhDay / now.btcPerPhDay - 1) * 100 : 0,
    feesToKeepHashpriceBtc,
    feesMultiple: i.avgFeesBtc > 0 ? feesToKeepHashpriceBtc / i.avgFeesBtc : undefined,
    minFeeRateSatPerVb: (feesToKeepHashpriceBtc * SATS_PER_BTC) / MAX_BLOCK_VBYTES,
    feeShareThen: feesToKeepHashpriceBtc / (subsidyNowBtc + i.avgFeesBtc),
  };
}
