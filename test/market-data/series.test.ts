import { describe, expect, it } from 'vitest';
import { dailyMean, stepAtMidnights } from '../../src/market-data/daily.ts';
import { periodCovering } from '../../src/market-data/history.ts';
import { loadSeries, thin } from '../../src/market-data/series.ts';
import { openStore } from '../../src/store/index.ts';
import { UpstreamError } from '../../src/core/market.ts';
import { stubMarket } from './stub-market.ts';

const DAY = 86_400;
const NOW_SEC = Date.UTC(2025, 3, 1, 15) / 1000;
const historyCalls = (calls: Record<string, number>) =>
  Object.entries(calls)
    .filter(([k]) => /History/.test(k))
    .reduce((a, [, n]) => a + n, 0);

describe('daily helpers', () => {
  it('dailyMean averages each UTC day (not its last point), labelled at 00:00 UTC, oldest first', () => {
    const d = Date.UTC(2025, 0, 1) / 1000;
    // day 1: (1 + 2 + 9) / 3 = 4 (the last point, 9, was what the back-fill used to keep);
    // day 2, the newest, still in progress: (3 + 5) / 2 = 4, labelled with its latest observation
    expect(
      dailyMean([
        { t: d + 10, v: 1 },
        { t: d + DAY + 5, v: 3 },
        { t: d + 500, v: 2 },
        { t: d + DAY - 1, v: 9 },
        { t: d + DAY + 60, v: 5 },
      ]),
    ).toEqual([
      { t: d, v: 4 },
      { t: d + DAY + 60, v: 4 },
    ]);
  });

  it('stepAtMidnights gives the value in force at each midnight, none before the first step', () => {
    const d = Date.UTC(2025, 0, 1) / 1000;
    const steps = [
      { t: d + 3600, v: 10 },
      { t: d + 2 * DAY + 3600, v: 20 },
    ];
    expect(stepAtMidnights(steps, d - DAY, d + 3 * DAY)).toEqual([
      { t: d + DAY, v: 10 },
      { t: d + 2 * DAY, v: 10 },
      { t: d + 3 * DAY, v: 20 },
    ]);
  });

  it('periodCovering picks the shortest mempool period reaching back far enough', () => {
    expect([7, 8, 30, 90, 91, 365, 425, 2000].map(periodCovering)).toEqual(['1w', '1m', '1m', '3m', '6m', '1y', '2y', 'all']);
  });
});

describe('loadSeries', () => {
  const fromSec = NOW_SEC - 30 * DAY;

  it('uses the market history when the store has nothing', async () => {
    const market = stubMarket(NOW_SEC);
    const s = await loadSeries({ metric: 'price', fromSec, toSec: NOW_SEC, market, snapshots: openStore(':memory:').snapshots });
    expect(s.origin).toBe('market');
    expect(s.points.length).toBeGreaterThanOrEqual(30);
    expect(s.points[0]!.t).toBeGreaterThanOrEqual(fromSec);
    expect(s.provenance[0]?.sourced.source).toBe('stub-mempool');
  });

  it('uses stored points, without calling upstream, when they cover the range', async () => {
    const market = stubMarket(NOW_SEC);
    const store = openStore(':memory:');
    await store.snapshots.upsertMany(
      Array.from({ length: 31 }, (_, i) => ({
        metric: 'price_usd',
        tsSec: fromSec + i * DAY,
        value: 50_000 + i,
        source: i === 30 ? 'mempool.space, Coinbase' : 'mempool.space',
      })),
    );
    const s = await loadSeries({ metric: 'price', fromSec, toSec: NOW_SEC, market, snapshots: store.snapshots });
    expect(s.origin).toBe('store');
    expect(s.sources).toEqual(['mempool.space', 'Coinbase']);
    expect(s.points).toHaveLength(31);
    expect(historyCalls(market.callCounts())).toBe(0);
  });

  it('samples a dense store to the last point of each bucket, exactly as thin() does to a series', async () => {
    const market = stubMarket(NOW_SEC);
    const store = openStore(':memory:');
    const rows = Array.from({ length: 31 * 144 }, (_, i) => ({
      metric: 'hashprice_usd',
      tsSec: NOW_SEC - i * 600,
      value: 40 + Math.sin(i / 50),
      source: 'mempool.space',
    }));
    await store.snapshots.upsertMany(rows);
    const s = await loadSeries({ metric: 'hashprice', fromSec, toSec: NOW_SEC, market, snapshots: store.snapshots });
    expect(s.origin).toBe('store');
    const all = rows.map((r) => ({ t: r.tsSec, v: r.value }));
    const bucket = Math.round((30 * DAY) / 400);
    expect(s.points).toEqual(thin(all, fromSec, NOW_SEC, bucket));
    expect(s.points.length).toBeGreaterThan(395);
    expect(s.points.length).toBeLessThanOrEqual(401);
    expect(s.points.at(-1)).toEqual({ t: NOW_SEC, v: 40 });
    await store.close();
  });

  it('prefers the market when the store covers only the end of the range', async () => {
    const market = stubMarket(NOW_SEC);
    const store = openStore(':memory:');
    await store.snapshots.upsertMany([0, 1, 2].map((i) => ({ metric: 'price_usd', tsSec: NOW_SEC - i * DAY, value: 1, source: 'live' })));
    const s = await loadSeries({ metric: 'price', fromSec, toSec: NOW_SEC, market, snapshots: store.snapshots });
    expect(s.origin).toBe('market');
  });

  it('falls back to the stored points, with a note, when upstream is down', async () => {
    const market = stubMarket(NOW_SEC);
    market.failing.add('priceHistory');
    const store = openStore(':memory:');
    await store.snapshots.upsertMany([0, 1, 2].map((i) => ({ metric: 'price_usd', tsSec: NOW_SEC - i * DAY, value: 1, source: 'live' })));
    const s = await loadSeries({ metric: 'price', fromSec, toSec: NOW_SEC, market, snapshots: store.snapshots });
    expect(s.origin).toBe('store');
    expect(s.points).toHaveLength(3);
    expect(s.notes[0]).toMatch(/unavailable.*3 points stored/);
  });

  it('throws the upstream error when there is neither history nor a store', async () => {
    const market = stubMarket(NOW_SEC);
    market.failing.add('priceHistory');
    await expect(loadSeries({ metric: 'price', fromSec, toSec: NOW_SEC, market })).rejects.toBeInstanceOf(UpstreamError);
  });
});
