import { describe, expect, it } from 'vitest';
import { revenueDays } from '../../src/charts/metric-charts.ts';

const DAY = 86_400;

describe('revenueDays', () => {
  it('averages each UTC day’s buckets, splits subsidy from fees and prices them at the day’s linked price', () => {
    const days = revenueDays(
      [
        // Day 1: two buckets, rewards 320,000,000 and 315,000,000 sats at $40,000 and $42,000.
        { timestampSec: DAY + 3600, avgRewardsSats: 320_000_000, usd: 40_000 },
        { timestampSec: DAY + 7200, avgRewardsSats: 315_000_000, usd: 42_000 },
        // Day 2: no fee bucket at this time: left out, not drawn as zero fees.
        { timestampSec: 2 * DAY + 3600, avgRewardsSats: 313_000_000, usd: 60_000 },
        // Day 3: no price linked: left out rather than drawn as $0.
        { timestampSec: 3 * DAY + 3600, avgRewardsSats: 313_000_000 },
      ],
      [
        { timestampSec: DAY + 3600, avgFeesSats: 7_500_000 },
        { timestampSec: DAY + 7200, avgFeesSats: 2_500_000 },
        { timestampSec: 3 * DAY + 3600, avgFeesSats: 500_000 },
      ],
    );
    // Day 1: subsidy (312,500,000 + 312,500,000) / 2 = 3.125 BTC, fees (0.075 + 0.025) / 2 = 0.05 BTC, price (40,000 + 42,000) / 2 = $41,000:
    // subsidy 3.125 × 144 × 41,000 = $18,450,000; fees 0.05 × 144 × 41,000 = $295,200, at the day's 00:00 UTC.
    expect(days).toHaveLength(1);
    expect(days[0]!.t).toBe(DAY);
    expect(days[0]!.subsidyUsd).toBeCloseTo(18_450_000, 6);
    expect(days[0]!.feesUsd).toBeCloseTo(295_200, 6);
  });
});
