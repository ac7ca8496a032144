import { describe, expect, it } from 'vitest';
import { DAYS_PER_YEAR, securityBudget } from '../../../src/core/metrics/index.ts';

describe('securityBudget', () => {
  it('matches the hand check at height 890,000, 3.125 + 0.02 BTC, $69,880', () => {
    const s = securityBudget({ subsidyBtc: 3.125, avgFeesBtc: 0.02, priceUsd: 69_880, height: 890_000 });
    // 144 × 3.145 = 452.88 BTC/day; × 69,880 = $31,647,254.40/day; × 365.25 = $11,559,159,669.60/year.
    expect(DAYS_PER_YEAR).toBe(365.25);
    expect(s.dailyRevenueBtc).toBeCloseTo(452.88, 10);
    expect(s.dailyRevenueUsd).toBeCloseTo(31_647_254.4, 4);
    expect(s.annualRevenueUsd).toBeCloseTo(11_559_159_669.6, 2);
    // Supply: 19,687,500 through block 839,999 + 50,001 blocks × 3.125 = 19,843,753.125 BTC;
    // × 69,880 = $1,386,681,468,375 market cap.
    expect(s.marketCapUsd).toBeCloseTo(1_386_681_468_375, 0);
    // 11,559,159,669.6 / 1,386,681,468,375 = 0.8336 % per year.
    expect(s.percentOfMarketCapPerYear).toBeCloseTo(0.8335843474670319, 12);
    // 0.02 / 3.145.
    expect(s.feeShare).toBeCloseTo(0.006359300476947536, 15);
  });

  it('with zero fees counts the subsidy only', () => {
    const s = securityBudget({ subsidyBtc: 3.125, avgFeesBtc: 0, priceUsd: 1, height: 840_000 });
    expect(s.dailyRevenueBtc).toBe(450);
    expect(s.feeShare).toBe(0);
  });

  it('with a zero price reports 0 %, not NaN', () => {
    const s = securityBudget({ subsidyBtc: 3.125, avgFeesBtc: 0.02, priceUsd: 0, height: 840_000 });
    expect(s.percentOfMarketCapPerYear).toBe(0);
  });
});
