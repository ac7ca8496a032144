/** The next difficulty retarget, in the terms a reply shows. */
import type { DifficultyAdjustment } from '../../sources/types.ts';
import { RETARGET_INTERVAL } from './constants.ts';

export interface RetargetSummary {
  progressPercent: number;
  estimatedChangePercent: number;
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
  return {
    progressPercent: a.progressPercent,
    estimatedChangePercent: a.difficultyChangePercent,
    blocksLeft: a.remainingBlocks,
    etaMs: a.estimatedRetargetDate,
    etaInMs: Math.max(0, a.estimatedRetargetDate - nowMs),
    previousChangePercent: a.previousRetargetPercent,
    epochStartHeight: a.nextRetargetHeight - RETARGET_INTERVAL,
    avgBlockMinutes: a.timeAvgMs / 60_000,
  };
}
