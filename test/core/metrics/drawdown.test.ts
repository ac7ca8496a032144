import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { drawdown } from '../../../src/core/metrics/index.ts';

describe('drawdown', () => {
  it('measures the latest value against the all-time high', () => {
    // ATH 108,000 on t = 2; now 69,880: 1 − 69,880 / 108,000 = 35.296 %.
    const dd = drawdown([
      { t: 1, v: 60_000 },
      { t: 2, v: 108_000 },
      { t: 4, v: 69_880 },
      { t: 3, v: 90_000 },
    ]);
    expect(dd!.ath).toEqual({ t: 2, v: 108_000 });
    expect(dd!.current).toEqual({ t: 4, v: 69_880 });
    expect(dd!.percentBelowAth).toBeCloseTo(35.2962962963, 9);
  });

  it('is 0 at a new high and keeps the first time a matched high was set', () => {
    expect(
      drawdown([
        { t: 1, v: 5 },
        { t: 2, v: 7 },
      ])!.percentBelowAth,
    ).toBe(0);
    const dd = drawdown([
      { t: 1, v: 7 },
      { t: 2, v: 3 },
      { t: 3, v: 7 },
    ]);
    expect(dd!.ath.t).toBe(1);
    expect(dd!.percentBelowAth).toBe(0);
  });

  it('handles a single point, and is undefined for an empty or non-positive series', () => {
    expect(drawdown([{ t: 1, v: 5 }])).toEqual({ ath: { t: 1, v: 5 }, current: { t: 1, v: 5 }, percentBelowAth: 0 });
    expect(drawdown([])).toBeUndefined();
    expect(
      drawdown([
        { t: 1, v: 0 },
        { t: 2, v: -1 },
      ]),
    ).toBeUndefined();
  });

  it('stays within 0..100 for positive values', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ t: fc.nat(), v: fc.double({ min: 0.001, max: 1e9, noNaN: true }) }), { minLength: 1 }), (series) => {
        const p = drawdown(series)!.percentBelowAth;
        return p >= 0 && p < 100;
      }),
    );
  });
});
