import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { circulatingSupplyBtc, nextHalving, subsidyBtc } from '../../../src/core/metrics/index.ts';

describe('subsidyBtc', () => {
  it('halves exactly at each 210,000-block boundary', () => {
    expect(subsidyBtc(0)).toBe(50);
    expect(subsidyBtc(209_999)).toBe(50);
    expect(subsidyBtc(210_000)).toBe(25);
    expect(subsidyBtc(839_999)).toBe(6.25);
    expect(subsidyBtc(840_000)).toBe(3.125);
    expect(subsidyBtc(1_049_999)).toBe(3.125);
    expect(subsidyBtc(1_050_000)).toBe(1.5625);
  });

  it('truncates to whole sats like Bitcoin Core (5e9 sats >> 10 = 4,882,812.5 → 4,882,812)', () => {
    expect(subsidyBtc(10 * 210_000)).toBe(0.04882812);
  });

  it('is 1 sat in the last era with any subsidy and 0 from the 33rd halving on', () => {
    // 5e9 >> 32 = 1 (5e9 / 4,294,967,296 = 1.16); 5e9 >> 33 = 0.
    expect(subsidyBtc(32 * 210_000)).toBe(1e-8);
    expect(subsidyBtc(33 * 210_000)).toBe(0);
    // Past 64 halvings Core returns 0 rather than shifting by >= 64.
    expect(subsidyBtc(64 * 210_000)).toBe(0);
    expect(subsidyBtc(1e9)).toBe(0);
  });

  it('rejects negative and fractional heights with a message naming the input', () => {
    expect(() => subsidyBtc(-1)).toThrow(/height must be a non-negative integer, got -1/);
    expect(() => subsidyBtc(1.5)).toThrow(RangeError);
    expect(() => subsidyBtc(Number.NaN)).toThrow(RangeError);
  });

  it('never increases with height', () => {
    fc.assert(
      fc.property(fc.nat(20_000_000), fc.nat(20_000_000), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return subsidyBtc(hi) <= subsidyBtc(lo);
      }),
    );
  });
});

describe('circulatingSupplyBtc', () => {
  it('counts block 0 through height inclusive', () => {
    expect(circulatingSupplyBtc(0)).toBe(50);
    expect(circulatingSupplyBtc(1)).toBe(100);
    // 210,000 × 50 = 10,500,000; block 210,000 adds 25.
    expect(circulatingSupplyBtc(209_999)).toBe(10_500_000);
    expect(circulatingSupplyBtc(210_000)).toBe(10_500_025);
  });

  it('matches the hand sum at the fourth halving', () => {
    // 210,000 × (50 + 25 + 12.5 + 6.25) = 210,000 × 93.75 = 19,687,500 through block 839,999;
    // block 840,000 adds the new 3.125.
    expect(circulatingSupplyBtc(839_999)).toBe(19_687_500);
    expect(circulatingSupplyBtc(840_000)).toBe(19_687_503.125);
  });

  it('converges on the well-known cap of 20,999,999.9769 BTC', () => {
    expect(circulatingSupplyBtc(64 * 210_000)).toBe(20_999_999.9769);
    expect(circulatingSupplyBtc(1e9)).toBe(20_999_999.9769);
  });

  it('grows by exactly the subsidy of each next block', () => {
    fc.assert(
      fc.property(fc.nat(7_000_000), (h) => {
        const diffSats = Math.round((circulatingSupplyBtc(h + 1) - circulatingSupplyBtc(h)) * 1e8);
        return diffSats === Math.round(subsidyBtc(h + 1) * 1e8);
      }),
    );
  });
});

describe('nextHalving', () => {
  it('points at the next multiple of 210,000', () => {
    expect(nextHalving(0)).toEqual({ height: 210_000, blocksLeft: 210_000 });
    expect(nextHalving(839_999)).toEqual({ height: 840_000, blocksLeft: 1 });
    // At the halving block itself the next one is a full era away.
    expect(nextHalving(840_000)).toEqual({ height: 1_050_000, blocksLeft: 210_000 });
    expect(nextHalving(900_000)).toEqual({ height: 1_050_000, blocksLeft: 150_000 });
  });
});
