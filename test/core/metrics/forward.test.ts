import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { difficultyAfterRetarget, FORWARD_ASSUMPTIONS, forwardHashprice, forwardHashpriceLine } from '../../../src/core/metrics/forward.ts';

const D = 113757508810854;

describe('forwardHashprice', () => {
  it('matches the hand check for the test world: +5.9148 % on 113.76 T at $69,880 and 3.145 BTC a block', () => {
    const f = forwardHashprice({
      difficulty: D,
      subsidyBtc: 3.125,
      avgFeesBtc: 0.02,
      priceUsd: 69880,
      estimatedChangePercent: 5.914788959658535,
    });
    // Difficulty after: 113757508810854 × 1.05914788959658535 = 120486025382781 (120.49 T).
    expect(f.difficultyAfter).toBeCloseTo(120486025382780.98, 0);
    // Today $38.86398720675945/PH/day (86400e15 / (D × 2^32) × 3.145 × 69880); after: ÷ 1.05914788959658535 = $36.6936.
    expect(f.hashprice.usdPerPhDay).toBeCloseTo(38.86398720675945 / 1.0591478895965853, 9);
    expect(f.hashprice.usdPerPhDay).toBeCloseTo(36.6936360715048, 9);
    // 1 / 1.05914788959658535 − 1 = −5.5845 %.
    expect(f.hashpriceChangePercent).toBeCloseTo(-5.584478822793482, 9);
  });

  it('a falling difficulty raises hashprice: −20 % → ÷ 0.8 = × 1.25', () => {
    const f = forwardHashprice({ difficulty: 100e12, subsidyBtc: 3.125, avgFeesBtc: 0, priceUsd: 50000, estimatedChangePercent: -20 });
    // 86400e15 / (100e12 × 2^32) × 3.125 × 50000 = 31.4321...; at 80e12: × 1.25.
    const today = (86400e15 / (100e12 * 2 ** 32)) * 3.125 * 50000;
    expect(f.hashprice.usdPerPhDay).toBeCloseTo(today * 1.25, 9);
    expect(f.hashpriceChangePercent).toBeCloseTo(25, 9);
  });

  it('refuses a change of −100 % or less (difficulty cannot reach zero)', () => {
    expect(() => difficultyAfterRetarget(D, -100)).toThrow(RangeError);
    expect(() => difficultyAfterRetarget(D, Number.NaN)).toThrow(RangeError);
  });

  it('higher estimated difficulty never gives more hashprice (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -74, max: 300, noNaN: true }), fc.double({ min: -74, max: 300, noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const at = (c: number) =>
          forwardHashprice({ difficulty: D, subsidyBtc: 3.125, avgFeesBtc: 0.02, priceUsd: 69880, estimatedChangePercent: c }).hashprice
            .usdPerPhDay;
        expect(at(hi)).toBeLessThanOrEqual(at(lo));
      }),
    );
  });

  it('reads as the estimate line /hashprice shows, with its assumptions', () => {
    // 625 blocks × 574,743 ms = 359,214,375 ms = 4.16 days → "4.2 days".
    expect(forwardHashpriceLine(625 * 574_743, 5.914788959658535, 36.6936360715048)).toBe(
      'After the adjustment in ~4.2 days, est. +5.9 %: $36.69/PH/day',
    );
    expect(forwardHashpriceLine(0, -2, 40)).toBe('After the adjustment due now, est. −2.0 %: $40.00/PH/day');
    expect(FORWARD_ASSUMPTIONS).toMatch(/^Estimate: today's price and fees/);
    expect(FORWARD_ASSUMPTIONS.split('\n')).toHaveLength(1);
  });
});
