/**
 * The fake upstream is test infrastructure other suites lean on (alerts, digest, hash ribbons), so its
 * story and its switches are pinned here: if the generated world drifts, these fail first.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import {
  AVG_FEES_SATS,
  CURRENT_HASHRATE,
  DAY_SEC,
  DIFFICULTY,
  HASHRATE_ATH,
  PRICE_ATH_USD,
  PRICE_USD,
  TIP_HEIGHT,
  TIP_TIME_SEC,
  difficultyEntries,
  hashrateSma,
} from '../fakes/world.ts';

let fake: FakeMempool;
beforeAll(async () => {
  fake = await startFakeMempool();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.clearFaults();
  fake.resetHits();
});

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), headers: res.headers };
};
const json = async (url: string) => JSON.parse((await get(url)).text);

describe('the story the generated history tells', () => {
  it('hashrate: ATH ~60 days before the tip, falling since, 7-day average down a few %', async () => {
    const h = await json(`${fake.apiUrl}/v1/mining/hashrate/1y`);
    const points: { timestamp: number; avgHashrate: number }[] = h.hashrates;
    expect(points).toHaveLength(366);
    expect(points.at(-1)!.timestamp).toBe(TIP_TIME_SEC);
    const ath = points.reduce((a, b) => (b.avgHashrate > a.avgHashrate ? b : a));
    expect(ath.avgHashrate).toBe(HASHRATE_ATH);
    expect((TIP_TIME_SEC - ath.timestamp) / DAY_SEC).toBe(60);
    const mean = (xs: typeof points) => xs.reduce((a, p) => a + p.avgHashrate, 0) / xs.length;
    const change7d = (mean(points.slice(-7)) / mean(points.slice(-14, -7)) - 1) * 100;
    expect(change7d).toBeLessThan(-2);
    expect(change7d).toBeGreaterThan(-8);
    expect(h.currentHashrate).toBe(CURRENT_HASHRATE);
    expect(h.currentDifficulty).toBe(DIFFICULTY);
  });

  it('hash ribbons: the 30-day SMA crossed below the 60-day SMA within the last few days', () => {
    expect(hashrateSma(30, 0)).toBeLessThan(hashrateSma(60, 0));
    expect(hashrateSma(30, 5)).toBeGreaterThan(hashrateSma(60, 5));
  });

  it('difficulty: one entry per 2016 blocks, ending at the current difficulty, adjustment = ratio to the previous', async () => {
    const h = await json(`${fake.apiUrl}/v1/mining/hashrate/1y`);
    const d: { time: number; height: number; difficulty: number; adjustment: number }[] = h.difficulty;
    expect(d.at(-1)!.difficulty).toBe(DIFFICULTY);
    for (let i = 1; i < d.length; i++) {
      expect(d[i]!.height - d[i - 1]!.height).toBe(2016);
      expect(d[i]!.adjustment).toBeCloseTo(d[i]!.difficulty / d[i - 1]!.difficulty, 12);
    }
    expect(d).toEqual(difficultyEntries(TIP_TIME_SEC - 365 * DAY_SEC));
  });

  it('price: ATH $105,000 ~120 days before the tip, last point the live price, in all price series', async () => {
    const hist = await json(`${fake.apiUrl}/v1/historical-price?currency=USD`);
    const prices: { time: number; USD: number }[] = hist.prices;
    expect(prices[0]).toEqual({ time: TIP_TIME_SEC, USD: PRICE_USD });
    expect(prices.length).toBeGreaterThanOrEqual(730);
    const ath = prices.reduce((a, b) => (b.USD > a.USD ? b : a));
    expect(ath).toEqual({ time: TIP_TIME_SEC - 120 * DAY_SEC, USD: PRICE_ATH_USD });
    const rewards = await json(`${fake.apiUrl}/v1/mining/blocks/rewards/1y`);
    expect(rewards.at(-1)).toEqual({ avgHeight: TIP_HEIGHT, timestamp: TIP_TIME_SEC, avgRewards: 312_500_000 + AVG_FEES_SATS, USD: PRICE_USD });
    expect(Math.max(...rewards.map((r: { USD: number }) => r.USD))).toBe(PRICE_ATH_USD);
  });

  it('the same day has the same value whatever period is asked (deterministic, seeded)', async () => {
    const [a, b] = await Promise.all([json(`${fake.apiUrl}/v1/mining/blocks/fees/1m`), json(`${fake.apiUrl}/v1/mining/blocks/fees/1y`)]);
    expect(b.slice(-a.length)).toEqual(a);
  });
});

describe('moving the world', () => {
  it('price, difficulty and fees move every route that shows them', async () => {
    fake.setPriceUsd(50_000);
    fake.setDifficulty(1.2e14);
    fake.setFeesPerBlockSats(5_000_000);
    try {
      const prices = await json(`${fake.apiUrl}/v1/prices`);
      expect(prices.USD).toBe(50_000);
      expect(prices.EUR).toBe(Math.round((64823 * 50_000) / PRICE_USD));
      const cb = await json(`${fake.priceFallbackUrl}/v2/exchange-rates?currency=BTC`);
      expect(Number(cb.data.rates.USD)).toBeCloseTo(50_000 - 29.5, 6);
      expect((await json(`${fake.apiUrl}/v1/blocks`)).every((b: { difficulty: number }) => b.difficulty === 1.2e14)).toBe(true);
      expect((await get(`${fake.chainFallbackUrl}/q/getdifficulty`)).text).toBe('120000000000000');
      const stats = await json(`${fake.apiUrl}/v1/mining/reward-stats/144`);
      expect(stats).toEqual({ startBlock: 890304, endBlock: TIP_HEIGHT, totalReward: String(144 * 317_500_000), totalFee: String(144 * 5_000_000), totalTx: '520000' });
    } finally {
      fake.setPriceUsd(PRICE_USD);
      fake.setDifficulty(DIFFICULTY);
      fake.setFeesPerBlockSats(AVG_FEES_SATS);
    }
  });
});

describe('switches', () => {
  it('hits are counted by path prefix and can be reset', async () => {
    await get(`${fake.apiUrl}/v1/prices`);
    await get(`${fake.apiUrl}/blocks/tip/height`);
    expect(fake.hits()).toBe(2);
    expect(fake.hits('/api/v1/prices')).toBe(1);
    fake.resetHits();
    expect(fake.hits()).toBe(0);
  });

  it('429 carries Retry-After and recovers after `times`', async () => {
    fake.setFault('/api/v1/prices', { kind: '429', retryAfterSec: 7, times: 2 });
    const first = await get(`${fake.apiUrl}/v1/prices`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect((await get(`${fake.apiUrl}/v1/prices`)).status).toBe(429);
    expect((await get(`${fake.apiUrl}/v1/prices`)).status).toBe(200);
  });

  it('500, malformed, drift; unknown routes 404; faults only where set', async () => {
    fake.setFault('/api/v1/fees', { kind: '500' });
    fake.setFault('/api/v1/prices', { kind: 'malformed' });
    fake.setFault('/bcinfo', { kind: 'drift' });
    expect((await get(`${fake.apiUrl}/v1/fees/recommended`)).status).toBe(500);
    const malformed = await get(`${fake.apiUrl}/v1/prices`);
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();
    expect(Number.isFinite(Number((await get(`${fake.chainFallbackUrl}/q/getblockcount`)).text))).toBe(false);
    expect((await get(`${fake.apiUrl}/v1/difficulty-adjustment`)).status).toBe(200);
    expect((await get(`${fake.apiUrl}/v1/nope`)).status).toBe(404);
    expect((await get(`${fake.apiUrl}/v1/mining/hashrate/5y`)).status).toBe(404);
  });

  it('timeout holds the request open until close(), which still returns', async () => {
    const own = await startFakeMempool();
    own.setFault('', { kind: 'timeout' });
    const pending = fetch(`${own.apiUrl}/v1/prices`).then(
      () => 'answered',
      () => 'dropped',
    );
    while (own.hits() === 0) await new Promise((r) => setTimeout(r, 5));
    await own.close();
    expect(await pending).toBe('dropped');
  });
});
