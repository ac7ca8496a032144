import { describe, expect, it } from 'vitest';
import { concentrationThenNow, concentrationTrend, weeklyConcentration } from '../../../src/core/metrics/pool-history.ts';
import { poolHistorySchema } from '../../../src/sources/schemas.ts';

const DAY = 86_400;
const row = (t: number, poolName: string, share: number) => ({ timestampSec: t, poolName, share, avgHashrate: share * 8e20 });

describe('weeklyConcentration', () => {
  it('ranks each week’s pools and counts the Nakamoto coefficient on shares, Unknown as one bucket', () => {
    const weeks = weeklyConcentration([
      row(7 * DAY, 'Foundry USA', 0.3),
      row(7 * DAY, 'AntPool', 0.18),
      row(7 * DAY, 'unknown', 0.03),
      row(7 * DAY, 'ViaBTC', 0.2),
      row(0, 'ViaBTC', 0.36),
      row(0, 'AntPool', 0.17),
      row(0, 'Foundry USA', 0.12),
    ]);
    expect(weeks.map((w) => w.t)).toEqual([0, 7 * DAY]);
    // Week 0: 0.36 + 0.17 = 0.53 > 0.5 → 2. Week 1: 0.3 + 0.2 = 0.5 is not more than half; + 0.18 → 3.
    expect(weeks.map((w) => w.nakamoto)).toEqual([2, 3]);
    expect(weeks[1]!.top1).toEqual({ name: 'Foundry USA', share: 0.3 });
    expect(weeks[1]!.shares.map((s) => s.name)).toEqual(['Foundry USA', 'ViaBTC', 'AntPool', 'Unknown']);
  });

  it('has no coefficient when the listed pools never make half', () => {
    expect(weeklyConcentration([row(0, 'A', 0.2), row(0, 'B', 0.2)])[0]!.nakamoto).toBeUndefined();
  });

  it('compares the latest week with the one nearest 30 days before it, and names the direction', () => {
    const weeks = weeklyConcentration(
      [0, 1, 2, 3, 4, 5].flatMap((k) => [row(k * 7 * DAY, 'A', 0.25 + 0.01 * k), row(k * 7 * DAY, 'B', 0.2), row(k * 7 * DAY, 'C', 0.1)]),
    );
    const pair = concentrationThenNow(weeks, 30)!;
    // Latest week at 35 days; 35 − 30 = 5 days: the nearest is the week at 7 days (k = 1), 2 days off.
    expect(pair.now.t).toBe(35 * DAY);
    expect(pair.then.t).toBe(7 * DAY);
    // Nakamoto 3 both (0.26 + 0.2 = 0.46; 0.30 + 0.2 = 0.50, not more than half); A 26 % → 30 %: +4 points → rose.
    expect(concentrationTrend(pair.then, pair.now)).toBe('rose');
    expect(concentrationTrend(pair.now, pair.then)).toBe('fell');
    expect(concentrationThenNow(weeks.slice(0, 1))).toBeUndefined();
  });

  it('a lower Nakamoto coefficient is more concentration whatever the top share did', () => {
    const [then, now] = weeklyConcentration([
      row(0, 'A', 0.3),
      row(0, 'B', 0.15),
      row(0, 'C', 0.1),
      row(7 * DAY, 'A', 0.28),
      row(7 * DAY, 'B', 0.25),
    ]);
    expect([then!.nakamoto, now!.nakamoto]).toEqual([3, 2]);
    expect(concentrationTrend(then!, now!)).toBe('rose');
  });
});

describe('poolHistorySchema', () => {
  it('reads mempool’s rows, drops a malformed row, and rejects a body with no readable row', () => {
    const ok = poolHistorySchema.parse([
      { timestamp: 1743379200, avgHashrate: 2.5e20, share: 0.3154, poolName: 'Foundry USA' },
      { timestamp: 1742774400, avgHashrate: '2.4e20', share: '0.31', poolName: 'Foundry USA' },
      { timestamp: 1743379200, avgHashrate: 1e20, share: 1.7, poolName: 'Broken' },
    ]);
    expect(ok).toEqual([
      { timestampSec: 1742774400, poolName: 'Foundry USA', share: 0.31, avgHashrate: 2.4e20 },
      { timestampSec: 1743379200, poolName: 'Foundry USA', share: 0.3154, avgHashrate: 2.5e20 },
    ]);
    expect(poolHistorySchema.parse([])).toEqual([]);
    expect(poolHistorySchema.safeParse([{ week: 1, pool: 'x' }]).success).toBe(false);
    expect(poolHistorySchema.safeParse({ items: [] }).success).toBe(false);
  });
});
