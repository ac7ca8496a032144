import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { hashprice } from '../../src/core/metrics/hashprice.ts';
import { subsidyBtc } from '../../src/core/metrics/subsidy.ts';
import { backfillHistory } from '../../src/market-data/backfill.ts';
import { CATALOG, HISTORY_METRIC_IDS } from '../../src/core/metrics/catalog.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { DAY_SEC, DIFFICULTY, EXPECTED, TIP_TIME_SEC } from '../fakes/world.ts';
import { stubMarket } from './stub-market.ts';

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
const NOW_SEC = NOW / 1000;
const YEAR_AGO = NOW_SEC - 365 * DAY_SEC;

let fake: FakeMempool;
let store: Store;
const newMarket = () =>
  createMarket({
    config: loadConfig({ ...fake.env, HTTP_TIMEOUT_MS: '2000' }),
    logger: silentLogger,
    now: () => NOW,
    sleep: () => Promise.resolve(),
  });

beforeAll(async () => {
  fake = await startFakeMempool();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  fake.clearFaults();
  fake.resetHits();
  await store?.close();
  store = openStore(':memory:');
});

const distinctDays = (rows: { tsSec: number }[]) => new Set(rows.map((r) => Math.floor(r.tsSec / DAY_SEC))).size;

describe('backfillHistory against the fake mempool server', () => {
  it('writes a year of daily points for every metric, from mempool', async () => {
    const { written } = await backfillHistory({ market: newMarket(), snapshots: store.snapshots, logger: silentLogger, now: NOW });
    expect(written).toBeGreaterThan(6 * 360);
    for (const metric of HISTORY_METRIC_IDS) {
      const rows = await store.snapshots.range(CATALOG[metric].snapshot, YEAR_AGO, NOW_SEC);
      expect(distinctDays(rows), metric).toBeGreaterThanOrEqual(365);
      expect(
        rows.every((r) => r.source === 'mempool (127.0.0.1)' && Number.isFinite(r.value)),
        metric,
      ).toBe(true);
    }
    // The tip's day is built from the same inputs as the live figure (one difficulty, the live fees and
    // price all day), so its mean matches it; it sits at its newest bucket, before the tip (the tip block
    // has no price row after it yet, so mempool's JOIN leaves it out).
    const today = async (metric: 'hashprice_usd' | 'hashprice_btc' | 'fee_share') =>
      (await store.snapshots.atOrBefore(metric, TIP_TIME_SEC))!;
    expect(Math.floor((await today('hashprice_usd')).tsSec / DAY_SEC)).toBe(Math.floor(TIP_TIME_SEC / DAY_SEC));
    expect((await today('hashprice_usd')).value).toBeCloseTo(EXPECTED.hashpriceUsdPerPhDay, 9);
    expect((await today('hashprice_btc')).value).toBeCloseTo(EXPECTED.hashpriceBtcPerPhDay, 14);
    expect((await today('fee_share')).value).toBeCloseTo(EXPECTED.feeSharePercent, 9);
    expect((await store.snapshots.latest('difficulty'))?.value).toBe(DIFFICULTY);
  });

  it('is idempotent: a second start fetches nothing and writes nothing', async () => {
    await backfillHistory({ market: newMarket(), snapshots: store.snapshots, logger: silentLogger, now: NOW });
    fake.resetHits();
    const again = await backfillHistory({ market: newMarket(), snapshots: store.snapshots, logger: silentLogger, now: NOW });
    expect(again.written).toBe(0);
    expect(fake.hits('/api/v1/mining')).toBe(0);
    expect(fake.hits('/api/v1/historical-price')).toBe(0);
  });

  it('never overwrites a day that already has a (live) point', async () => {
    const day = Math.floor((NOW_SEC - 100 * DAY_SEC) / DAY_SEC) * DAY_SEC;
    await store.snapshots.upsertMany([{ metric: 'price_usd', tsSec: day + 3600, value: 12_345, source: 'live' }]);
    await backfillHistory({ market: newMarket(), snapshots: store.snapshots, logger: silentLogger, now: NOW });
    expect(await store.snapshots.range('price_usd', day, day + DAY_SEC - 1)).toEqual([
      { metric: 'price_usd', tsSec: day + 3600, value: 12_345, source: 'live' },
    ]);
  });

  it('keeps going when one endpoint fails, logs it, and fills the gap on the next start', async () => {
    fake.setFault('/api/v1/mining/blocks/fees', { kind: '500' });
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn' }, { write: (s: string) => void lines.push(s) });
    const first = await backfillHistory({ market: newMarket(), snapshots: store.snapshots, logger, now: NOW });
    expect(first.written).toBeGreaterThan(5 * 360);
    expect(await store.snapshots.latest('fee_share')).toBeUndefined();
    expect(await store.snapshots.latest('hashprice_usd')).toBeDefined();
    expect(lines.some((l) => l.includes('fee_share') && l.includes('back-fill failed'))).toBe(true);

    fake.clearFaults();
    const second = await backfillHistory({ market: newMarket(), snapshots: store.snapshots, logger: silentLogger, now: NOW });
    expect(distinctDays(await store.snapshots.range('fee_share', YEAR_AGO, NOW_SEC))).toBeGreaterThanOrEqual(365);
    expect(second.written).toBe((await store.snapshots.range('fee_share', 0, NOW_SEC)).length);
  });
});

describe('historical hashprice follows the live formula point by point', () => {
  it('matches hashprice() on each day’s difficulty, subsidy, fees and price', async () => {
    const nowSec = Date.UTC(2025, 3, 1, 15) / 1000;
    const market: Market & { history: ReturnType<typeof stubMarket>['history'] } = stubMarket(nowSec);
    const s = openStore(':memory:');
    await backfillHistory({ market, snapshots: s.snapshots, logger: silentLogger, now: nowSec * 1000 });
    const rows = await s.snapshots.range('hashprice_usd', nowSec - 365 * DAY_SEC, nowSec);
    expect(rows.length).toBeGreaterThan(360);
    const { rewards, fees, difficulty, prices } = market.history;
    for (const row of rows) {
      // Rows describe a UTC day and sit at its 00:00; the stub has one point per day, at 12:00.
      const noon = Math.floor(row.tsSec / DAY_SEC) * DAY_SEC + 12 * 3600;
      const r = rewards.find((p) => p.timestampSec === noon)!;
      const f = fees.find((p) => p.timestampSec === noon)!;
      const d = difficulty.filter((p) => p.timeSec <= noon).at(-1)!.difficulty;
      const usd = prices.find((p) => p.timeSec === noon)!.usd;
      const live = hashprice({ difficulty: d, subsidyBtc: subsidyBtc(r.avgHeight), avgFeesBtc: f.avgFeesSats / 1e8, priceUsd: usd });
      expect(row.value).toBeCloseTo(live.usdPerPhDay, 9);
      expect((await s.snapshots.range('hashprice_btc', row.tsSec, row.tsSec))[0]!.value).toBeCloseTo(live.btcPerPhDay, 14);
    }
    await s.close();
  });

  it('stores difficulty at every midnight and at the exact retarget times', async () => {
    const nowSec = Date.UTC(2025, 3, 1, 15) / 1000;
    const market = stubMarket(nowSec);
    const s = openStore(':memory:');
    await backfillHistory({ market, snapshots: s.snapshots, logger: silentLogger, now: nowSec * 1000 });
    const rows = await s.snapshots.range('difficulty', nowSec - 365 * DAY_SEC, nowSec);
    const retargets = market.history.difficulty.filter((p) => p.timeSec >= nowSec - 365 * DAY_SEC);
    for (const r of retargets) expect(rows.find((row) => row.tsSec === r.timeSec)?.value).toBe(r.difficulty);
    const midnight = Date.UTC(2025, 0, 15) / 1000;
    const inForce = market.history.difficulty.filter((p) => p.timeSec <= midnight).at(-1)!.difficulty;
    expect(rows.find((row) => row.tsSec === midnight)?.value).toBe(inForce);
    await s.close();
  });
});
