/**
 * The fake upstream is test infrastructure other suites lean on (alerts, digest, hash ribbons), so its
 * story and its switches are pinned here: if the generated world drifts, these fail first.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeMempool, type FakeMempool } from './mempool.ts';
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
} from './world.ts';

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
    // daily rows at UTC midnight, the newest at 2025-04-01 00:00
    expect(points.at(-1)!.timestamp).toBe(Math.floor(TIP_TIME_SEC / DAY_SEC) * DAY_SEC);
    const ath = points.reduce((a, b) => (b.avgHashrate > a.avgHashrate ? b : a));
    expect(ath.avgHashrate).toBe(HASHRATE_ATH);
    expect((points.at(-1)!.timestamp - ath.timestamp) / DAY_SEC).toBe(60);
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

  it('price: hourly rows since 2022-06-23, weekly before, MtGox first; ATH $105,000 as a daily mean ~120 days before the tip', async () => {
    const hist = await json(`${fake.apiUrl}/v1/historical-price?currency=USD`);
    const prices: { time: number; USD: number }[] = hist.prices;
    // newest first; the last hourly row is 21:00 UTC, 40 s before the tip block
    expect(prices[0]).toEqual({ time: TIP_TIME_SEC - 40, USD: PRICE_USD });
    expect(prices.at(-1)).toEqual({ time: 1279497600, USD: 0.08584 });
    const times = prices.map((p) => p.time).reverse();
    const gaps = (from: number, to: number) =>
      new Set(
        times
          .slice(1)
          .map((t, i) => t - times[i]!)
          .filter((_, i) => times[i]! >= from && times[i + 1]! <= to),
      );
    expect(gaps(Date.UTC(2022, 5, 23) / 1000, TIP_TIME_SEC)).toEqual(new Set([3600]));
    expect(gaps(Date.UTC(2019, 4, 1) / 1000, Date.UTC(2022, 5, 16) / 1000)).toEqual(new Set([7 * DAY_SEC]));
    // 2024-12-02, 120 days before the tip: hours at 105,000 ± 1,050 average exactly 105,000
    const athDay = prices.filter((p) => Math.floor(p.time / DAY_SEC) === Math.floor(TIP_TIME_SEC / DAY_SEC) - 120);
    expect(athDay).toHaveLength(24);
    expect(athDay.reduce((a, p) => a + p.USD, 0) / 24).toBe(PRICE_ATH_USD);
    expect(Math.max(...athDay.map((p) => p.USD))).toBe(106_050);
    expect(athDay[0]!.USD).toBe(103_950); // newest first: 23:00 is the day's last, and lowest, hour
  });

  it('rewards 1y: 8-hour buckets of block averages; the tip block, newer than every price row, is not in them yet', async () => {
    const rewards = await json(`${fake.apiUrl}/v1/mining/blocks/rewards/1y`);
    // Newest bucket 16:00–24:00 UTC: blocks 890,417 … 890,446 (16:00:40 … 20:50:40), 30 of them.
    // avgHeight (890,417 + 890,446) / 2 = 890,431.5 → 890,432; time 16:00:40 + 14.5 × 600 s = 18:25:40.
    expect(rewards.at(-1)).toEqual({
      avgHeight: 890_432,
      timestamp: TIP_TIME_SEC - 9300,
      avgRewards: 312_500_000 + AVG_FEES_SATS,
      USD: PRICE_USD,
    });
    expect(rewards.at(-2).timestamp - rewards.at(-3).timestamp).toBe(28_800);
  });

  it('the same day has the same mean whatever period (bucket size) is asked (deterministic, seeded)', async () => {
    const [a, b] = await Promise.all([json(`${fake.apiUrl}/v1/mining/blocks/fees/1m`), json(`${fake.apiUrl}/v1/mining/blocks/fees/1y`)]);
    expect(a[2].timestamp - a[1].timestamp).toBe(1800);
    const day = Math.floor(TIP_TIME_SEC / DAY_SEC) - 3;
    const mean = (rows: { timestamp: number; avgFees: number }[]) => {
      const inDay = rows.filter((r) => Math.floor(r.timestamp / DAY_SEC) === day);
      return inDay.reduce((s, r) => s + r.avgFees, 0) / inDay.length;
    };
    expect(mean(a)).toBe(mean(b));
  });
});

describe('the oldest rows, placeholders and bad queries, as mempool sends them', () => {
  afterEach(() => {
    for (const edge of ['nodeDown', 'priceFeedDown', 'placeholders'] as const) fake.setEdge(edge, false);
  });

  it('unfiltered hashrate history starts at genesis: difficulty row with adjustment 0, zero-hashrate days', async () => {
    const h = await json(`${fake.apiUrl}/v1/mining/hashrate/all`);
    expect(h.difficulty[0]).toEqual({ time: 1231006505, height: 0, difficulty: 1, adjustment: 0 });
    expect(h.hashrates.slice(0, 3).map((p: { avgHashrate: number }) => p.avgHashrate > 0)).toEqual([true, false, false]);
    // an interval mempool does not know is the unfiltered history, not an error
    expect((await json(`${fake.apiUrl}/v1/mining/hashrate/5y`)).difficulty[0].height).toBe(0);
  });

  it('nodeDown: current figures 0, no difficulty estimate (503 JSON), no fee recommendation (503 text)', async () => {
    fake.setEdge('nodeDown', true);
    const h = await json(`${fake.apiUrl}/v1/mining/hashrate/3d`);
    expect([h.currentHashrate, h.currentDifficulty]).toEqual([0, 0]);
    expect(await get(`${fake.apiUrl}/v1/difficulty-adjustment`)).toMatchObject({
      status: 503,
      text: '{"error":"Service Temporarily Unavailable"}',
    });
    expect(await get(`${fake.apiUrl}/v1/fees/recommended`)).toMatchObject({ status: 503, text: 'Service Unavailable' });
  });

  it('priceFeedDown: prices -1 with time 0; the price history and the priced blocks stop 6 hours back', async () => {
    fake.setEdge('priceFeedDown', true);
    expect(await json(`${fake.apiUrl}/v1/prices`)).toMatchObject({ time: 0, USD: -1, EUR: -1 });
    const hist = await json(`${fake.apiUrl}/v1/historical-price?currency=USD`);
    expect(hist.prices[0].time).toBe(TIP_TIME_SEC - 40 - 6 * 3600);
    const rewards = await json(`${fake.apiUrl}/v1/mining/blocks/rewards/1w`);
    expect(rewards.at(-1).timestamp).toBeLessThan(TIP_TIME_SEC - 6 * 3600);
  });

  it('placeholders: a zero-hashrate day and a price clamped to 0', async () => {
    fake.setEdge('placeholders', true);
    const h = await json(`${fake.apiUrl}/v1/mining/hashrate/1y`);
    expect(h.hashrates.filter((p: { avgHashrate: number }) => p.avgHashrate === 0)).toHaveLength(1);
    const hist = await json(`${fake.apiUrl}/v1/historical-price?currency=USD`);
    expect(hist.prices.filter((p: { USD: number }) => p.USD === 0)).toHaveLength(1);
  });

  it('bad queries: reward-stats/abc → 500 JSON error, reward-stats/0 → nulls, an unknown currency → empty 200', async () => {
    expect(await get(`${fake.apiUrl}/v1/mining/reward-stats/abc`)).toMatchObject({
      status: 500,
      text: '{"error":"Failed to get reward stats"}',
    });
    expect(await json(`${fake.apiUrl}/v1/mining/reward-stats/0`)).toEqual({
      startBlock: null,
      endBlock: null,
      totalReward: null,
      totalFee: null,
      totalTx: null,
    });
    expect(await get(`${fake.apiUrl}/v1/historical-price?currency=XYZ`)).toMatchObject({ status: 200, text: '' });
    // an interval mempool does not know counts every block since genesis
    expect((await json(`${fake.apiUrl}/v1/mining/pools/bogus`)).blockCount).toBe(TIP_HEIGHT + 1);
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
      expect(stats).toEqual({
        startBlock: 890304,
        endBlock: TIP_HEIGHT,
        totalReward: String(144 * 317_500_000),
        totalFee: String(144 * 5_000_000),
        totalTx: '520000',
      });
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
