import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { avgFeesBtcFromRewardStats, blocksPerPhDay, feeShare, hashprice, impliedHashrate } from '../../../src/core/metrics/index.ts';

// Difficulty at height ~840,000 era (2025), used by the lead's hand check.
const D = 113_757_508_810_854;

describe('blocksPerPhDay', () => {
  it('is 86400 × 1e15 / (D × 2^32)', () => {
    // Hashes per block: D × 2^32 = 113,757,508,810,854 × 4,294,967,296 ≈ 4.88585e23.
    // Hashes per PH/s-day: 86,400 × 1e15 = 8.64e19. 8.64e19 / 4.88585e23 ≈ 1.76837e-4 blocks.
    expect(blocksPerPhDay(D)).toBeCloseTo(1.7683727e-4, 10);
    // Difficulty 1: 8.64e19 / 4,294,967,296 = 20,116,567,611.69 blocks per PH/day.
    expect(blocksPerPhDay(1)).toBeCloseTo(20_116_567_611.69, 1);
  });

  it('rejects zero, negative and non-finite difficulty', () => {
    expect(() => blocksPerPhDay(0)).toThrow(/difficulty must be a positive number, got 0/);
    expect(() => blocksPerPhDay(-5)).toThrow(RangeError);
    expect(() => blocksPerPhDay(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => blocksPerPhDay(Number.NaN)).toThrow(RangeError);
  });
});

describe('hashprice', () => {
  it('matches the hand-checked figure for D = 113.76 T, $69,880, 3.125 + 0.02 BTC', () => {
    // b ≈ 1.7683727e-4 blocks/PH/day × 3.145 BTC = 5.5615322e-4 BTC/PH/day × 69,880 = $38.864/PH/day.
    const hp = hashprice({ difficulty: D, subsidyBtc: 3.125, avgFeesBtc: 0.02, priceUsd: 69_880 });
    expect(hp.btcPerPhDay).toBeCloseTo(0.0005561532227641592, 15);
    expect(hp.usdPerPhDay).toBeCloseTo(38.86398720675945, 10);
    expect(hp.btcPerThDay).toBeCloseTo(0.0005561532227641592 / 1000, 18);
    expect(hp.usdPerThDay).toBeCloseTo(0.03886398720675945, 12);
  });

  it('reproduces the published Luxor figure of ≈ $315/PH/day (2021-07-24)', () => {
    // Fees were 1.26 % of revenue: fees = 6.25 × 0.0126 / (1 − 0.0126) = 0.079754 BTC per block.
    // b = 8.64e19 / (13.67e12 × 2^32) = 1.471579e-3; × 6.329754 BTC = 9.31477e-3 BTC × 33,806 = $314.90.
    const fees = (6.25 * 0.0126) / (1 - 0.0126);
    const hp = hashprice({ difficulty: 13.67e12, subsidyBtc: 6.25, avgFeesBtc: fees, priceUsd: 33_806 });
    expect(hp.usdPerPhDay).toBeCloseTo(314.9, 1);
    expect(Math.round(hp.usdPerPhDay)).toBe(315);
  });

  it('counts the subsidy only when fees are zero', () => {
    // 1.7683727e-4 × 3.125 = 5.5261648e-4 BTC/PH/day.
    const hp = hashprice({ difficulty: D, subsidyBtc: 3.125, avgFeesBtc: 0, priceUsd: 1 });
    expect(hp.btcPerPhDay).toBeCloseTo(5.5261648e-4, 10);
    expect(hp.usdPerPhDay).toBe(hp.btcPerPhDay);
  });

  const inputs = fc.record({
    difficulty: fc.double({ min: 1e9, max: 1e16, noNaN: true }),
    subsidyBtc: fc.constantFrom(50, 25, 12.5, 6.25, 3.125, 1.5625),
    avgFeesBtc: fc.double({ min: 0, max: 10, noNaN: true }),
    priceUsd: fc.double({ min: 1, max: 1e6, noNaN: true }),
  });

  it('scales linearly with price', () => {
    fc.assert(
      fc.property(inputs, fc.double({ min: 0.01, max: 100, noNaN: true }), (i, k) => {
        const base = hashprice(i).usdPerPhDay;
        const scaled = hashprice({ ...i, priceUsd: i.priceUsd * k }).usdPerPhDay;
        return Math.abs(scaled - base * k) <= 1e-9 * Math.abs(base * k);
      }),
    );
  });

  it('scales inversely with difficulty', () => {
    fc.assert(
      fc.property(inputs, fc.double({ min: 0.01, max: 100, noNaN: true }), (i, k) => {
        const base = hashprice(i).btcPerPhDay;
        const scaled = hashprice({ ...i, difficulty: i.difficulty * k }).btcPerPhDay;
        return Math.abs(scaled - base / k) <= 1e-9 * Math.abs(base / k);
      }),
    );
  });
});

describe('impliedHashrate', () => {
  it('is D × 2^32 / 600 H/s', () => {
    // 113,757,508,810,854 × 4,294,967,296 / 600 = 8.14308e20 H/s = 814.308 EH/s.
    expect(impliedHashrate(D) / 1e18).toBeCloseTo(814.307966695083, 9);
    // Difficulty 1: 2^32 / 600 = 7,158,278.83 H/s (the genesis-era ~7 MH/s).
    expect(impliedHashrate(1)).toBeCloseTo(7_158_278.83, 2);
  });

  it('rejects a zero difficulty', () => {
    expect(() => impliedHashrate(0)).toThrow(RangeError);
  });
});

describe('feeShare', () => {
  it('is fees / (subsidy + fees)', () => {
    // 0.02 / 3.145 = 0.0063593...
    expect(feeShare(3.125, 0.02)).toBeCloseTo(0.006359300476947536, 15);
    expect(feeShare(3.125, 3.125)).toBe(0.5);
  });

  it('is 0 with zero fees and 0 (not NaN) with no revenue at all', () => {
    expect(feeShare(3.125, 0)).toBe(0);
    expect(feeShare(0, 0)).toBe(0);
    // After the subsidy ends, fees are the whole revenue.
    expect(feeShare(0, 0.1)).toBe(1);
  });

  it('stays within 0..1', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 50, noNaN: true }), fc.double({ min: 0, max: 50, noNaN: true }), (s, f) => {
        const share = feeShare(s, f);
        return share >= 0 && share <= 1;
      }),
    );
  });
});

describe('avgFeesBtcFromRewardStats', () => {
  it('divides total fees by the inclusive block count', () => {
    // Blocks 900,000..900,143 are 144 blocks; 288,000,000 sats / 144 = 2,000,000 sats = 0.02 BTC.
    const avg = avgFeesBtcFromRewardStats({
      startBlock: 900_000,
      endBlock: 900_143,
      totalRewardSats: 144 * 312_500_000 + 288_000_000,
      totalFeeSats: 288_000_000,
      totalTx: 500_000,
    });
    expect(avg).toBe(0.02);
  });

  it('handles a single block and zero fees', () => {
    expect(avgFeesBtcFromRewardStats({ startBlock: 5, endBlock: 5, totalRewardSats: 1, totalFeeSats: 12_345, totalTx: 1 })).toBe(
      0.00012345,
    );
    expect(avgFeesBtcFromRewardStats({ startBlock: 5, endBlock: 10, totalRewardSats: 1, totalFeeSats: 0, totalTx: 1 })).toBe(0);
  });

  it('rejects a range with no blocks instead of dividing by zero', () => {
    expect(() => avgFeesBtcFromRewardStats({ startBlock: 10, endBlock: 9, totalRewardSats: 0, totalFeeSats: 0, totalTx: 0 })).toThrow(
      /no blocks/,
    );
  });
});
