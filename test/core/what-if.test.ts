import { describe, expect, it } from 'vitest';
import { impossibleWhatIf, readWhatIfDifficulty } from '../../src/core/what-if.ts';
import { MIN_BLOCKS_FOR_ESTIMATE, beforeDayOf, retargetSummary } from '../../src/core/metrics/index.ts';
import type { DifficultyAdjustment } from '../../src/core/market.ts';

describe('what-if difficulty', () => {
  it('reads a bare number below a million as T and says so; larger numbers as given', () => {
    expect(readWhatIfDifficulty(120)).toEqual({ difficulty: 120e12, note: 'difficulty 120 read as 120 T' });
    expect(readWhatIfDifficulty(113.76)).toEqual({ difficulty: 113.76e12, note: 'difficulty 113.76 read as 113.76 T' });
    expect(readWhatIfDifficulty(1.2e14)).toEqual({ difficulty: 1.2e14 });
  });

  it('refuses a difficulty at which 1 PH/s out-earns the whole network', () => {
    const live = { subsidyBtc: 3.125, avgFeesBtc: 0.02, priceUsd: 69_880 };
    // 1e15 × 86400 / (144 × 2^32) = 139,698,386.19: at that difficulty 1 PH/s finds exactly 144 blocks a day.
    expect(impossibleWhatIf({ ...live, difficulty: 139_698_387 })).toBeUndefined();
    expect(impossibleWhatIf({ ...live, difficulty: 139_698_386 })).toMatch(/more than the 144 the whole network finds/);
    expect(impossibleWhatIf({ ...live, difficulty: 113.76e12 })).toBeUndefined();
    expect(impossibleWhatIf({ ...live, difficulty: 113.76e12, priceUsd: Number.POSITIVE_INFINITY })).toBe(
      'these inputs do not give a finite hashprice.',
    );
  });
});

describe('today’s partial history point', () => {
  it('is left out: only points of earlier UTC days remain', () => {
    const noon = Date.UTC(2026, 11, 1, 12) / 1000;
    const series = [
      { t: Date.UTC(2026, 10, 30, 23, 59) / 1000, v: 1 },
      { t: Date.UTC(2026, 11, 1, 0, 0) / 1000, v: 2 },
      { t: Date.UTC(2026, 11, 1, 11) / 1000, v: 3 },
    ];
    expect(beforeDayOf(series, noon)).toEqual([series[0]]);
  });
});

describe('retarget estimate', () => {
  const adj = (remainingBlocks: number): DifficultyAdjustment => ({
    progressPercent: ((2016 - remainingBlocks) / 2016) * 100,
    difficultyChangePercent: 5.35,
    estimatedRetargetDate: 0,
    remainingBlocks,
    remainingTimeMs: 0,
    previousRetargetPercent: -1,
    previousTimeSec: 0,
    nextRetargetHeight: 891_072,
    timeAvgMs: 600_000,
  });

  it('is withheld until 72 blocks of the epoch are in', () => {
    expect(MIN_BLOCKS_FOR_ESTIMATE).toBe(72);
    expect(retargetSummary(adj(2016), 0)).toMatchObject({ blocksIntoEpoch: 0, estimatedChangePercent: undefined });
    expect(retargetSummary(adj(2016 - 71), 0)).toMatchObject({ blocksIntoEpoch: 71, estimatedChangePercent: undefined });
    expect(retargetSummary(adj(2016 - 72), 0)).toMatchObject({ blocksIntoEpoch: 72, estimatedChangePercent: 5.35 });
  });
});
