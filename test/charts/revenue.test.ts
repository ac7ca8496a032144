import { describe, expect, it } from 'vitest';
import { revenueDays } from '../../src/charts/metric-charts.ts';

describe('revenueDays', () => {
  it('splits each day into subsidy and fees in USD, joined on the bucket time', () => {
    const days = revenueDays(
      [
        { timestampSec: 200, avgRewardsSats: 315_000_000, usd: 50_000 },
        { timestampSec: 100, avgRewardsSats: 320_000_000, usd: 40_000 },
        // No fee bucket at 300: left out, not drawn as zero fees.
        { timestampSec: 300, avgRewardsSats: 313_000_000, usd: 60_000 },
      ],
      [
        { timestampSec: 100, avgFeesSats: 7_500_000 },
        { timestampSec: 200, avgFeesSats: 2_500_000 },
      ],
    );
    // Day 100: subsidy (320,000,000 − 7,500,000) sats = 3.125 BTC × 144 × $40,000 = $18,000,000; fees 0.075 × 144 × 40,000 = $432,000.
    // Day 200: subsidy 3.125 × 144 × 50,000 = $22,500,000; fees 0.025 × 144 × 50,000 = $180,000. Oldest first.
    expect(days.map((d) => d.t)).toEqual([100, 200]);
    expect(days[0]!.subsidyUsd).toBeCloseTo(18_000_000, 6);
    expect(days[0]!.feesUsd).toBeCloseTo(432_000, 6);
    expect(days[1]!.subsidyUsd).toBeCloseTo(22_500_000, 6);
    expect(days[1]!.feesUsd).toBeCloseTo(180_000, 6);
  });
});
