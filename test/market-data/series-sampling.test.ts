/**
 * How a chart reads the snapshot table: one range query per chart (not a look-up per bucket, ~400
 * round trips on a networked database), sampled to the last row of each bucket as before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/core/market.ts';
import { loadSeries, thin } from '../../src/market-data/series.ts';
import { openStore, type SnapshotRepo } from '../../src/store/index.ts';
import { stubMarket } from './stub-market.ts';

const DAY = 86_400;
const NOW_SEC = Date.UTC(2025, 3, 1, 15) / 1000;

/** The store's snapshot repository, recording every call made to it by name. */
function counting(repo: SnapshotRepo) {
  const calls: string[] = [];
  const reader = new Proxy(repo, {
    get(target, name: keyof SnapshotRepo) {
      const f = target[name];
      return (...args: unknown[]) => {
        calls.push(name);
        return (f as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  return { reader, calls };
}

/**
 * What charts showed with a look-up per bucket: for each bucket end (multiples of the bucket, the
 * last at toSec) the last row at or before it, kept when it is newer than the previous end.
 */
async function perBucket(repo: SnapshotRepo, metric: string, startSec: number, toSec: number, bucketSec: number) {
  const ends: number[] = [];
  for (let e = (Math.floor(startSec / bucketSec) + 1) * bucketSec; e < toSec; e += bucketSec) ends.push(e);
  ends.push(toSec);
  const points: { t: number; v: number }[] = [];
  const sources = new Set<string>();
  let previousEnd = startSec - 1;
  for (const end of ends) {
    const row = await repo.atOrBefore(metric, end);
    if (row && row.tsSec > previousEnd) {
      points.push({ t: row.tsSec, v: row.value });
      for (const s of row.source.split(/ \+ |, /)) sources.add(s);
    }
    previousEnd = end;
  }
  return { points, sources: [...sources] };
}

describe('charts from stored snapshots', () => {
  it('read the store once per chart, with one range query', async () => {
    const store = openStore(':memory:');
    const rows = Array.from({ length: 31 * 144 }, (_, i) => ({
      metric: 'hashprice_usd',
      tsSec: NOW_SEC - i * 600,
      value: 40 + Math.sin(i / 50),
      source: 'mempool.space',
    }));
    await store.snapshots.upsertMany(rows);
    const { reader, calls } = counting(store.snapshots);
    const fromSec = NOW_SEC - 30 * DAY;
    const s = await loadSeries({ metric: 'hashprice', fromSec, toSec: NOW_SEC, market: stubMarket(NOW_SEC), snapshots: reader });
    expect(calls).toEqual(['range']);
    expect(s.origin).toBe('store');
    expect(s.points).toEqual(
      thin(
        rows.map((r) => ({ t: r.tsSec, v: r.value })),
        fromSec,
        NOW_SEC,
        Math.round((30 * DAY) / 400),
      ),
    );
    await store.close();
  });

  it('show the same points and sources as a look-up per bucket, whatever the rows and buckets', async () => {
    const row = fc.record({
      tsSec: fc.integer({ min: 0, max: 2_000 }),
      value: fc.integer({ min: -50, max: 50 }),
      source: fc.constantFrom('mempool.space', 'Coinbase', 'a + b', 'mempool.space, Kraken'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 80 }),
        fc.integer({ min: -100, max: 1_900 }),
        fc.constantFrom(0, 0.25, 0.5, 0.75),
        fc.integer({ min: 1, max: 2_200 }),
        fc.integer({ min: 1, max: 300 }),
        async (rows, from, fraction, span, bucketSec) => {
          const store = openStore(':memory:');
          try {
            await store.snapshots.upsertMany(rows.map((r) => ({ metric: 'price_usd', ...r })));
            // Upstream down: loadSeries then answers with exactly what it sampled from the store.
            const market = stubMarket(NOW_SEC);
            market.failing.add('priceHistory');
            const fromSec = from + fraction;
            const toSec = from + span;
            const expected = await perBucket(store.snapshots, 'price_usd', fromSec, toSec, bucketSec);
            const { reader, calls } = counting(store.snapshots);
            const loaded = loadSeries({ metric: 'price', fromSec, toSec, bucketSec, market, snapshots: reader });
            if (expected.points.length === 0) {
              await expect(loaded).rejects.toBeInstanceOf(UpstreamError);
            } else {
              const s = await loaded;
              expect(s.points).toEqual(expected.points);
              expect(s.sources).toEqual(expected.sources);
            }
            expect(calls).toEqual(['range']);
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
