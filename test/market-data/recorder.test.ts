import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { loadHeadline } from '../../src/market-data/headline.ts';
import { recordHeadline } from '../../src/market-data/recorder.ts';
import { createMarket } from '../../src/sources/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { DIFFICULTY, EXPECTED, TIP_TIME_SEC } from '../fakes/world.ts';

/**
 * The live snapshot rows, recorded from the headline the alert poll builds (the 10-minute timer
 * that fetched the same figures a second time is gone: one writer, one set of rows per slot).
 */
const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
const NOW_SEC = NOW / 1000;

let fake: FakeMempool;
let store: Store;
const newMarket = (now = NOW) =>
  createMarket({
    config: loadConfig({ ...fake.env, HTTP_TIMEOUT_MS: '2000' }),
    logger: silentLogger,
    now: () => now,
    sleep: () => Promise.resolve(),
  });
const record = async (now = NOW) => recordHeadline(store.snapshots, (await loadHeadline(newMarket(now), now)).headline);

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

describe('recordHeadline against the fake mempool server', () => {
  it('records the live values as one snapshot per metric', async () => {
    const written = await record();
    // Every catalog metric the headline carries: the six the 10-minute timer wrote, plus the 7-day
    // hashrate, the retarget estimate, the top pool's share, the Nakamoto coefficient and the
    // hashprice after the retarget, which the alert poll always wrote.
    expect(written).toBe(11);
    // Stamped with the 10-minute slot.
    const slot = Math.floor(NOW_SEC / 600) * 600;
    const at = async (metric: string) => (await store.snapshots.range(metric, slot, slot))[0];
    expect((await at('hashprice_usd'))?.value).toBeCloseTo(EXPECTED.hashpriceUsdPerPhDay, 9);
    expect((await at('hashprice_btc'))?.value).toBeCloseTo(EXPECTED.hashpriceBtcPerPhDay, 14);
    expect((await at('fee_share'))?.value).toBeCloseTo(EXPECTED.feeSharePercent, 9);
    expect((await at('difficulty'))?.value).toBe(DIFFICULTY);
    expect((await at('price_usd'))?.value).toBe(69880);
    expect((await at('hashrate'))?.value).toBe(8.1e20);
    expect((await at('hashprice_usd'))?.source).toBe('mempool (127.0.0.1)');
  });

  it('replaces, not adds to, a value already stored in the same 10-minute slot', async () => {
    const slot = Math.floor(NOW_SEC / 600) * 600;
    await record();
    await record(NOW + 60_000);
    expect(await store.snapshots.range('price_usd', slot, slot + 599)).toHaveLength(1);
  });

  it('records no hashprice when fees are unknown (it would be subsidy-only)', async () => {
    fake.setFault('/api/v1/mining/reward-stats', { kind: '500' });
    await record();
    expect(await store.snapshots.latest('hashprice_usd')).toBeUndefined();
    expect(await store.snapshots.latest('fee_share')).toBeUndefined();
    expect((await store.snapshots.latest('price_usd'))?.value).toBe(69880);
  });
});
