import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashRibbons, hashrateTrend, sma, type Point } from '../../../src/core/metrics/index.ts';

const DAY = 86_400;
/** Daily points at t = d × DAY for d = 0..values.length − 1. */
const daily = (values: number[]): Point[] => values.map((v, d) => ({ t: d * DAY, v }));
const days = (n: number, v: number): number[] => Array.from({ length: n }, () => v);

describe('sma', () => {
  it('averages the trailing window and starts once the window is full', () => {
    // 1..10 over 3 days: first full window at day 2, (1 + 2 + 3) / 3 = 2, then 3 … 9.
    const out = sma(daily([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 3);
    expect(out).toEqual([2, 3, 4, 5, 6, 7, 8, 9].map((v, i) => ({ t: (i + 2) * DAY, v })));
  });

  it('windows by time, so a missing day is not replaced by an older one', () => {
    // Days 0, 1, 2, 4: at day 4 the 3-day window (day 1, 4] holds days 2 and 4: (3 + 5) / 2 = 4.
    const out = sma(
      [
        { t: 0, v: 1 },
        { t: DAY, v: 2 },
        { t: 2 * DAY, v: 3 },
        { t: 4 * DAY, v: 5 },
      ],
      3,
    );
    expect(out).toEqual([
      { t: 2 * DAY, v: 2 },
      { t: 4 * DAY, v: 4 },
    ]);
  });

  it('is empty for an empty or too short series and rejects a non-positive window', () => {
    expect(sma([], 7)).toEqual([]);
    expect(sma(daily([1, 2, 3, 4, 5, 6]), 7)).toEqual([]);
    expect(() => sma(daily([1]), 0)).toThrow(RangeError);
  });

  it('of a constant series is that constant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 1, max: 1e21, noNaN: true }),
        (n, w, v) => sma(daily(days(n, v)), w).every((p) => Math.abs(p.v - v) <= 1e-9 * v),
      ),
    );
  });
});

describe('hashrateTrend', () => {
  // 100 for days 0..49, then 80 for days 50..59.
  const points = daily([...days(50, 100), ...days(10, 80)]);
  const now = 59 * DAY;

  it('compares 7-day averages 7 and 30 days apart', () => {
    const t = hashrateTrend(points, now);
    // Now: days 53..59 are all 80.
    expect(t.avg7d).toBe(80);
    // 7 days earlier (day 52): days 46..52 = 4 × 100 + 3 × 80 = 640 / 7 = 91.43; 80 / 91.43 − 1 = −12.5 %.
    expect(t.change7dPercent).toBeCloseTo(-12.5, 10);
    // 30 days earlier (day 29): 100; 80 / 100 − 1 = −20 %.
    expect(t.change30dPercent).toBeCloseTo(-20, 10);
    // ATH of the 7-day average: 100, first reached on day 6.
    expect(t.ath).toEqual({ t: 6 * DAY, v: 100 });
    expect(t.drawdownPercent).toBeCloseTo(20, 10);
  });

  it('measures the ATH on the 7-day average, not on a noisy single day', () => {
    const spiky = daily([...days(10, 100), 170, ...days(39, 100), ...days(10, 80)]);
    const t = hashrateTrend(spiky, now);
    // The 170 day lifts the 7-day average of days 10..16 to (6 × 100 + 170) / 7 = 110, not 170.
    expect(t.ath.v).toBeCloseTo(110, 10);
    expect(t.ath.t).toBe(10 * DAY);
    // 1 − 80 / 110 = 27.27 %.
    expect(t.drawdownPercent).toBeCloseTo((1 - 80 / 110) * 100, 10);
  });

  it('ignores points after nowSec and leaves changes undefined without enough history', () => {
    const t = hashrateTrend(points, 10 * DAY);
    // Days 4..10 are all 100; no 7-day average exists 7 or 30 days earlier.
    expect(t.avg7d).toBe(100);
    expect(t.change7dPercent).toBeUndefined();
    expect(t.change30dPercent).toBeUndefined();
    expect(t.drawdownPercent).toBe(0);
  });

  it('compares with the averages before the latest one when the history ends before nowSec', () => {
    // The same history read 10 days after its last point (a stale cached answer): the changes are
    // still those of day 59 against days 52 and 29, not the latest average against itself (0 %).
    const t = hashrateTrend(points, 69 * DAY);
    expect(t.avg7d).toBe(80);
    expect(t.change7dPercent).toBeCloseTo(-12.5, 10);
    expect(t.change30dPercent).toBeCloseTo(-20, 10);
  });

  it('leaves a change undefined across a gap instead of comparing with a much older average', () => {
    // 100 on days 0..19, nothing on days 20..40, 80 from day 41 to day 60.
    const gappy = daily([...days(61, 0)])
      .filter((p) => p.t < 20 * DAY || p.t > 40 * DAY)
      .map((p) => ({ t: p.t, v: p.t < 20 * DAY ? 100 : 80 }));
    const t = hashrateTrend(gappy, 60 * DAY);
    // Day 53 (7 days back) has an average of days 47..53, all 80: no change.
    expect(t.change7dPercent).toBeCloseTo(0, 10);
    // Day 30 falls in the gap; the nearest earlier average (day 19) is 11 days older than that.
    expect(t.change30dPercent).toBeUndefined();
    // One missing day is tolerated: the average of the day before stands in.
    const oneMissing = daily([...days(50, 100), ...days(10, 80)]).filter((p) => p.t !== 52 * DAY);
    expect(hashrateTrend(oneMissing, 59 * DAY).change7dPercent).toBeCloseTo((80 / ((5 * 100 + 2 * 80) / 7) - 1) * 100, 10);
  });

  it('throws a clear error with under 7 days of data', () => {
    expect(() => hashrateTrend([], 0)).toThrow(/at least 7 days/);
    expect(() => hashrateTrend(daily(days(6, 1)), 5 * DAY)).toThrow(RangeError);
  });
});

describe('hashRibbons', () => {
  it('is normal for a flat series with no crossing', () => {
    const r = hashRibbons(daily(days(90, 100)));
    expect(r).toEqual({ sma30: 100, sma60: 100, state: 'normal', lastCrossSec: undefined });
  });

  it('signals capitulation when the 30-day SMA falls below the 60-day SMA', () => {
    // 100 for days 0..79, 50 for days 80..119. At day 80 the 30-day mean (29 × 100 + 50) / 30 = 98.33
    // drops below the 60-day (59 × 100 + 50) / 60 = 99.17: the cross is at day 80.
    const r = hashRibbons(daily([...days(80, 100), ...days(40, 50)]));
    expect(r.state).toBe('capitulation');
    expect(r.lastCrossSec).toBe(80 * DAY);
    // Day 119: 30-day = 50; 60-day over days 60..119 = (20 × 100 + 40 × 50) / 60 = 66.67.
    expect(r.sma30).toBe(50);
    expect(r.sma60).toBeCloseTo(200 / 3, 10);
  });

  // 100 for days 0..59, 50 for days 60..89, 160 from day 90. For day 90 + k (k ≤ 29):
  // 30-day sum = (29 − k) × 50 + (k + 1) × 160 = 1610 + 110k; 60-day sum = 4560 + 60k.
  // 30-day above 60-day ⇔ 2 (1610 + 110k) > 4560 + 60k ⇔ k > 8.375: crosses back above on day 99.
  const recovering = (lastDay: number) => daily([...days(60, 100), ...days(30, 50), ...days(lastDay - 89, 160)]);

  it('signals recovery within 30 days of the 30-day SMA crossing back above', () => {
    const r = hashRibbons(recovering(128));
    expect(r.state).toBe('recovery');
    expect(r.lastCrossSec).toBe(99 * DAY);
    expect(r.sma30).toBeGreaterThan(r.sma60);
  });

  it('returns to normal 30 days after the cross', () => {
    const r = hashRibbons(recovering(129));
    expect(r.state).toBe('normal');
    expect(r.lastCrossSec).toBe(99 * DAY);
  });

  it('throws a clear error with under 60 days of data', () => {
    // 59 daily points span days 0..58: one short of a 60-day window; the 60th point completes it.
    expect(() => hashRibbons(daily(days(59, 100)))).toThrow(/at least 60 days/);
    expect(() => hashRibbons([])).toThrow(RangeError);
    expect(hashRibbons(daily(days(60, 100))).state).toBe('normal');
  });
});
