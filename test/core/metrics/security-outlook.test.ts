import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { budgetAtHalvings, HALVING_BUDGET_ASSUMPTIONS, halvingBudgetLine } from '../../../src/core/metrics/security-outlook.ts';

describe('budgetAtHalvings', () => {
  it('matches the hand check at the next two halvings for the test world (height 890,447, 0.02 BTC fees, $69,880)', () => {
    const [h1, h2] = budgetAtHalvings({ height: 890_447, avgFeesBtc: 0.02, priceUsd: 69_880 });
    expect(h1!.halvingHeight).toBe(1_050_000);
    expect(h1!.subsidyBtc).toBe(1.5625);
    // 144 × (1.5625 + 0.02) = 227.88 BTC a day × $69,880 = $15,924,254.40; × 365.25 = $5,816,333,919.60 a year.
    expect(h1!.dailyRevenueBtc).toBeCloseTo(227.88, 9);
    expect(h1!.annualRevenueUsd).toBeCloseTo(5_816_333_919.6, 2);
    // Supply at block 1,050,000: 210,000 × (50 + 25 + 12.5 + 6.25 + 3.125) = 20,343,750 plus that block's 1.5625
    // = 20,343,751.5625 BTC; × $69,880 = $1,421,621,359,187.50. 5,816,333,919.6 / that = 0.40913 %.
    expect(h1!.marketCapUsd).toBeCloseTo(20_343_751.5625 * 69_880, 0);
    expect(h1!.percentOfMarketCapPerYear).toBeCloseTo((5_816_333_919.6 / (20_343_751.5625 * 69_880)) * 100, 9);
    // To keep today's 3.145 BTC a block: fees 3.145 − 1.5625 = 1.5825 BTC, 1.5825 / 3.145 = 50.32 % of revenue.
    expect(h1!.feesToKeepBudgetBtc).toBeCloseTo(1.5825, 12);
    expect(h1!.feeShareToKeepBudget).toBeCloseTo(1.5825 / 3.145, 12);

    expect(h2!.halvingHeight).toBe(1_260_000);
    expect(h2!.subsidyBtc).toBe(0.78125);
    // 144 × 0.80125 = 115.38 BTC a day; supply 20,343,750 + 210,000 × 1.5625 + 0.78125 = 20,671,875.78125 BTC.
    expect(h2!.dailyRevenueBtc).toBeCloseTo(115.38, 9);
    expect(h2!.marketCapUsd).toBeCloseTo(20_671_875.78125 * 69_880, 0);
    expect(h2!.percentOfMarketCapPerYear).toBeCloseTo(((115.38 * 69_880 * 365.25) / (20_671_875.78125 * 69_880)) * 100, 9);
    // 3.145 − 0.78125 = 2.36375 BTC; 2.36375 / 3.145 = 75.16 %.
    expect(h2!.feesToKeepBudgetBtc).toBeCloseTo(2.36375, 12);
    expect(h2!.feeShareToKeepBudget).toBeCloseTo(2.36375 / 3.145, 12);
    expect(HALVING_BUDGET_ASSUMPTIONS.split('\n')).toHaveLength(1);
    expect(halvingBudgetLine(h1!)).toBe(
      "After the halving at block 1,050,000 (1.5625 BTC): 0.41 % of the market cap a year; keeping today's budget takes fees of 50.3 % of revenue.",
    );
    expect(halvingBudgetLine(h2!)).toBe(
      "After the halving at block 1,260,000 (0.78125 BTC): 0.20 % of the market cap a year; keeping today's budget takes fees of 75.2 % of revenue.",
    );
  });

  it('each later halving needs a larger fee share and leaves a smaller budget (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6_000_000 }),
        fc.double({ min: 0, max: 10, noNaN: true }),
        fc.double({ min: 1, max: 1e7, noNaN: true }),
        (height, fees, price) => {
          const [a, b] = budgetAtHalvings({ height, avgFeesBtc: fees, priceUsd: price });
          expect(b!.halvingHeight - a!.halvingHeight).toBe(210_000);
          expect(b!.feeShareToKeepBudget).toBeGreaterThanOrEqual(a!.feeShareToKeepBudget);
          expect(b!.annualRevenueUsd).toBeLessThanOrEqual(a!.annualRevenueUsd);
        },
      ),
    );
  });
});
