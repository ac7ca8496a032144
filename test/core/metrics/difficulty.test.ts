import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DifficultyAdjustment } from '../../../src/core/market.ts';
import { retargetSummary } from '../../../src/core/metrics/index.ts';

// The recorded mempool answer of 2024-03-31, mapped to the normalised type by field name.
const raw = JSON.parse(
  readFileSync(new URL('../../fixtures/mempool/2024-03-31/v1-difficulty-adjustment.json', import.meta.url), 'utf8'),
) as Record<string, number>;
const adj: DifficultyAdjustment = {
  progressPercent: raw.progressPercent!,
  difficultyChangePercent: raw.difficultyChange!,
  estimatedRetargetDate: raw.estimatedRetargetDate!,
  remainingBlocks: raw.remainingBlocks!,
  remainingTimeMs: raw.remainingTime!,
  previousRetargetPercent: raw.previousRetarget!,
  previousTimeSec: raw.previousTime!,
  nextRetargetHeight: raw.nextRetargetHeight!,
  timeAvgMs: raw.timeAvg!,
};

describe('retargetSummary', () => {
  it('summarises the recorded adjustment', () => {
    const now = 1_711_900_000_000;
    const r = retargetSummary(adj, now);
    // 1606 of 2016 blocks left: (2016 − 1606) / 2016 = 20.337 %, which the answer also reports.
    expect(r.progressPercent).toBeCloseTo(((2016 - 1606) / 2016) * 100, 9);
    expect(r.estimatedChangePercent).toBeCloseTo(5.914788959658535, 12);
    expect(r.blocksLeft).toBe(1606);
    expect(r.previousChangePercent).toBeCloseTo(-0.9778871328980188, 12);
    // Next retarget at 838,656, so this epoch began at 838,656 − 2016 = 836,640.
    expect(r.epochStartHeight).toBe(836_640);
    // 574,743 ms / 60,000 = 9.579 min per block.
    expect(r.avgBlockMinutes).toBeCloseTo(9.57905, 9);
    // ETA 1,712,766,704,114 − now 1,711,900,000,000 = 866,704,114 ms (≈ 10.03 days).
    expect(r.etaMs).toBe(1_712_766_704_114);
    expect(r.etaInMs).toBe(866_704_114);
  });

  it('counts down from the absolute estimate and stops at 0 once it has passed', () => {
    expect(retargetSummary(adj, adj.estimatedRetargetDate - 1000).etaInMs).toBe(1000);
    expect(retargetSummary(adj, adj.estimatedRetargetDate + 60_000).etaInMs).toBe(0);
  });
});
