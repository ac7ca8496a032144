import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { halvingOutlook, recentBlockRate } from '../../../src/core/metrics/halving.ts';
import type { DifficultyAdjustment } from '../../../src/core/market.ts';

const D = 113757508810854;
const WORLD = { height: 890447, fromTimeSec: 1743541240, intervalSec: 574.743, difficulty: D, avgFeesBtc: 0.02, priceUsd: 69880 };

const adjustment = (remainingBlocks: number, timeAvgMs: number, remainingTimeMs: number): DifficultyAdjustment => ({
  progressPercent: ((2016 - remainingBlocks) / 2016) * 100,
  difficultyChangePercent: 1,
  estimatedRetargetDate: 0,
  remainingBlocks,
  remainingTimeMs,
  previousRetargetPercent: 0,
  previousTimeSec: 0,
  nextRetargetHeight: 891072,
  timeAvgMs,
});

describe('recentBlockRate', () => {
  it('takes the mean interval over the blocks of this epoch once there are 504 or more', () => {
    // Test world: 2016 − 625 = 1,391 blocks into the epoch, timeAvg 574,743 ms.
    expect(recentBlockRate(adjustment(625, 574_743, 625 * 574_743))).toEqual({ intervalSec: 574.743, blocks: 1391, basis: 'epoch' });
  });

  it("early in an epoch uses mempool's 504-block estimate (remaining time ÷ remaining blocks)", () => {
    // 10 blocks in: 2,006 blocks left, 1,203,600,000 ms → 600,000 ms = 600 s a block; timeAvg (a 10-block mean) ignored.
    expect(recentBlockRate(adjustment(2006, 420_000, 1_203_600_000))).toEqual({ intervalSec: 600, blocks: 504, basis: 'window' });
  });
});

describe('halvingOutlook', () => {
  it('matches the hand check for the test world', () => {
    const h = halvingOutlook(WORLD);
    // Next halving: (floor(890447 / 210000) + 1) × 210000 = 1,050,000; 1,050,000 − 890,447 = 159,553 blocks.
    expect(h.halvingHeight).toBe(1_050_000);
    expect(h.blocksLeft).toBe(159_553);
    // ETA: 1743541240 s + 159,553 × 574.743 s (= 91,701,969.879 s, 1,061.4 days) = 1835243209.879 s = 2028-02-27 05:46 UTC.
    expect(h.etaMs).toBeCloseTo(1_835_243_209_879, 0);
    expect(new Date(h.etaMs).toISOString()).toBe('2028-02-27T05:46:49.879Z');
    expect(h.subsidyNowBtc).toBe(3.125);
    expect(h.subsidyAfterBtc).toBe(1.5625);
    // Hashprice now $38.86398720675945; after: × (1.5625 + 0.02) / (3.125 + 0.02) = × 1.5825 / 3.145 = $19.5556.
    expect(h.hashpriceNowUsdPerPhDay).toBeCloseTo(38.86398720675945, 9);
    expect(h.hashpriceAfterUsdPerPhDay).toBeCloseTo((38.86398720675945 * 1.5825) / 3.145, 9);
    // 1.5825 / 3.145 − 1 = −49.682 %.
    expect(h.hashpriceChangePercent).toBeCloseTo((1.5825 / 3.145 - 1) * 100, 9);
    // Fees to keep hashprice: 3.125 + 0.02 − 1.5625 = 1.5825 BTC a block, 79.125 × today's 0.02;
    // 158,250,000 sats over at most 1,000,000 vB = 158.25 sat/vB; fee share 1.5825 / 3.145 = 50.32 %.
    expect(h.feesToKeepHashpriceBtc).toBeCloseTo(1.5825, 12);
    expect(h.feesMultiple).toBeCloseTo(79.125, 9);
    expect(h.minFeeRateSatPerVb).toBeCloseTo(158.25, 9);
    expect(h.feeShareThen).toBeCloseTo(1.5825 / 3.145, 12);
  });

  it('at a halving block itself looks to the next one, a full 210,000 blocks on', () => {
    const h = halvingOutlook({ ...WORLD, height: 1_050_000 });
    expect(h.halvingHeight).toBe(1_260_000);
    expect(h.blocksLeft).toBe(210_000);
    expect(h.subsidyNowBtc).toBe(1.5625);
    expect(h.subsidyAfterBtc).toBe(0.78125);
  });

  it('with no fees today there is no multiple, and the fees must replace half the subsidy', () => {
    const h = halvingOutlook({ ...WORLD, avgFeesBtc: 0 });
    expect(h.feesMultiple).toBeUndefined();
    expect(h.feesToKeepHashpriceBtc).toBe(1.5625);
    expect(h.hashpriceChangePercent).toBeCloseTo(-50, 12);
  });

  it('rejects a block interval that is not a positive number', () => {
    expect(() => halvingOutlook({ ...WORLD, intervalSec: 0 })).toThrow(RangeError);
    expect(() => halvingOutlook({ ...WORLD, intervalSec: Number.NaN })).toThrow(RangeError);
  });

  it('more blocks left never gives an earlier ETA; a slower block rate never either (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 209_999 }),
        fc.integer({ min: 0, max: 209_999 }),
        fc.double({ min: 1, max: 3600, noNaN: true }),
        fc.double({ min: 1, max: 3600, noNaN: true }),
        (era, a, b, i1, i2) => {
          // Two heights in one halving era: the lower one has more blocks left to the same halving.
          const [moreLeft, fewerLeft] = [era * 210_000 + Math.min(a, b), era * 210_000 + Math.max(a, b)];
          const [slow, fast] = i1 >= i2 ? [i1, i2] : [i2, i1];
          const at = (height: number, intervalSec: number) => halvingOutlook({ ...WORLD, height, intervalSec });
          expect(at(moreLeft, fast).blocksLeft).toBeGreaterThanOrEqual(at(fewerLeft, fast).blocksLeft);
          expect(at(moreLeft, fast).etaMs).toBeGreaterThanOrEqual(at(fewerLeft, fast).etaMs);
          expect(at(moreLeft, slow).etaMs).toBeGreaterThanOrEqual(at(moreLeft, fast).etaMs);
        },
      ),
    );
  });

  it('higher difficulty never gives more hashprice after the halving (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e18, noNaN: true }), fc.double({ min: 1, max: 1e18, noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(halvingOutlook({ ...WORLD, difficulty: hi }).hashpriceAfterUsdPerPhDay).toBeLessThanOrEqual(
          halvingOutlook({ ...WORLD, difficulty: lo }).hashpriceAfterUsdPerPhDay,
        );
      }),
    );
  });
});
