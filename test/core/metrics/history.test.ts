import { describe, expect, it } from 'vitest';
import { changePercent, lowHigh, lowestSince, valueAt, type Point } from '../../../src/core/metrics/index.ts';

const DAY = 86_400;

const series: Point[] = [
  { t: 0, v: 10 },
  { t: DAY, v: 8 },
  { t: 2 * DAY, v: 12 },
  { t: 3 * DAY, v: 8 },
  { t: 4 * DAY, v: 9 },
];

describe('valueAt', () => {
  it('takes the last point at or before the time', () => {
    expect(valueAt(series, 2 * DAY)).toBe(12);
    expect(valueAt(series, 2 * DAY + 100)).toBe(12);
    expect(valueAt(series, 100 * DAY)).toBe(9);
  });

  it('is undefined before the series starts and on an empty series', () => {
    expect(valueAt(series, -1)).toBeUndefined();
    expect(valueAt([], 0)).toBeUndefined();
  });

  it('with maxAgeSec, is undefined when the last point is older than that', () => {
    // Day 4 is the last point: 1 day old at day 5 is fine, 3 days old at day 7 is not.
    expect(valueAt(series, 5 * DAY, DAY)).toBe(9);
    expect(valueAt(series, 7 * DAY, 2 * DAY)).toBeUndefined();
    expect(valueAt(series, 4 * DAY, 0)).toBe(9);
  });

  it('does not depend on the order of the points', () => {
    expect(valueAt([...series].reverse(), 2 * DAY + 100)).toBe(12);
  });
});

describe('changePercent', () => {
  it('compares the current value with the value in force `days` earlier', () => {
    // Now (day 4) 9 vs day 2 12: 9 / 12 − 1 = −25 %.
    expect(changePercent(series, 9, 4 * DAY, 2)).toBeCloseTo(-25, 12);
    // 12 at day 2 vs day 1 (8): +50 %.
    expect(changePercent(series, 12, 2 * DAY, 1)).toBeCloseTo(50, 12);
    // A live value newer than the series: 10.8 at day 5 vs day 4 (9): +20 %.
    expect(changePercent(series, 10.8, 5 * DAY, 1)).toBeCloseTo(20, 12);
  });

  it('is undefined when the past is before the data, in a long gap, or zero', () => {
    expect(changePercent(series, 9, 4 * DAY, 5)).toBeUndefined();
    expect(changePercent([], 1, 0, 1)).toBeUndefined();
    expect(
      changePercent(
        [
          { t: 0, v: 0 },
          { t: DAY, v: 5 },
        ],
        5,
        DAY,
        1,
      ),
    ).toBeUndefined();
    // Day 10 − 3 days = day 7; the last point before it is day 4, 3 days (> 2) earlier.
    expect(changePercent(series, 9, 10 * DAY, 3)).toBeUndefined();
    // Day 10 − 4 days = day 6; day 4 is exactly 2 days earlier: still accepted.
    expect(changePercent(series, 18, 10 * DAY, 4)).toBeCloseTo(100, 12);
  });
});

describe('lowHigh', () => {
  it('finds the low and high from a time on, the most recent on ties', () => {
    // From day 1: values 8, 12, 8, 9 → low 8 (day 3, the later of the two), high 12 (day 2).
    expect(lowHigh(series, DAY)).toEqual({ low: { t: 3 * DAY, v: 8 }, high: { t: 2 * DAY, v: 12 } });
    expect(lowHigh(series, 0)!.high).toEqual({ t: 2 * DAY, v: 12 });
  });

  it('handles a single point and an empty window', () => {
    expect(lowHigh(series, 4 * DAY)).toEqual({ low: { t: 4 * DAY, v: 9 }, high: { t: 4 * DAY, v: 9 } });
    expect(lowHigh(series, 5 * DAY)).toBeUndefined();
    expect(lowHigh([], 0)).toBeUndefined();
  });
});

describe('lowestSince', () => {
  it('returns when the series was last at or below the current value', () => {
    // 8.5: last value <= 8.5 is 8 on day 3.
    expect(lowestSince(series, 8.5)).toBe(3 * DAY);
    // 8 equals the day-3 value: "lowest since day 3".
    expect(lowestSince(series, 8)).toBe(3 * DAY);
    // 9.5: day 4 (9) is lower.
    expect(lowestSince(series, 9.5)).toBe(4 * DAY);
  });

  it('is undefined when the current value is the lowest on record, or there is no history', () => {
    expect(lowestSince(series, 7.99)).toBeUndefined();
    expect(lowestSince([], 1)).toBeUndefined();
  });
});
