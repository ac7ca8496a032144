/** The next difficulty retarget, in the terms a reply shows. */
import type { DifficultyAdjustment } from '../market.ts';
import { RETARGET_INTERVAL } from './constants.ts';

/**
 * Blocks of the epoch needed before its estimated change is shown: 72, about half a day. Block
 * intervals are exponential, so an average over n blocks is off by about 1/√n from luck alone:
 * ±100 % on one block, ±12 % on 72, already more than most adjustments but no longer a bare guess.
 * mempool's own estimate (mempool/mempool backend/src/api/difficulty-adjustment.ts,
 * calcDifficultyAdjustment) does not trust the new epoch's blocks alone either: for its first 503
 * blocks it blends them with the last 504 of the previous epoch, where that epoch's time is known.
 */
export const MIN_BLOCKS_FOR_ESTIMATE = 72;

export interface RetargetSummary {
  progressPercent: number;
  /** Undefined while fewer than MIN_BLOCKS_FOR_ESTIMATE blocks of the epoch are in. */
  estimatedChangePercent?: number;
  blocksIntoEpoch: number;
  blocksLeft: number;
  /** Estimated retarget time (ms since the epoch). */
  etaMs: number;
  /** Time from nowMs until the estimate; 0 once the estimate has passed. */
  etaInMs: number;
  previousChangePercent: number;
  epochStartHeight: number;
  /** Mean block interval this epoch, minutes (target 10). */
  avgBlockMinutes: number;
}

/**
 * The estimate is anchored to its absolute date, not "remaining time", so a cached answer still
 * counts down correctly when shown later.
 */
export function retargetSummary(a: DifficultyAdjustment, nowMs: number): RetargetSummary {
  const blocksIntoEpoch = RETARGET_INTERVAL - a.remainingBlocks;
  return {
    progressPercent: a.progressPercent,
    estimatedChangePercent: blocksIntoEpoch >= MIN_BLOCKS_FOR_ESTIMATE ? a.difficultyChangePercent : undefined,
    blocksIntoEpoch,
    blocksLeft: a.remainingBlocks,
    etaMs: a.estimatedRetargetDate,
    etaInMs: Math.max(0, a.estimatedRetargetDate - nowMs),
    previousChangePercent: a.previousRetargetPercent,
    epochStartHeight: a.nextRetargetHeight - RETARGET_INTERVAL,
    avgBlockMinutes: a.timeAvgMs / 60_000,
  };
}

/** What to say instead of a number while the estimate would be noise. */
export function tooEarlyToEstimate(blocksIntoEpoch: number): string {
  return `too early to estimate: ${blocksIntoEpoch} block${blocksIntoEpoch === 1 ? '' : 's'} into the epoch (an estimate needs ${MIN_BLOCKS_FOR_ESTIMATE}, about half a day)`;
}
