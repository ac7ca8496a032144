/**
 * createMarket against the fake upstreams over real sockets. Time is injected (now, sleep), so
 * staleness, ages and Retry-After are checked by value, never by wall-clock waits.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { avgFeesBtcFromRewardStats, hashprice, impliedHashrate, subsidyBtc } from '../../src/core/metrics/index.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { createMarket, mempoolSourceName, TTL_MS } from '../../src/sources/index.ts';
import { UpstreamError } from '../../src/core/market.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import {
  AVG_FEES_SATS,
  COINBASE_EUR,
  COINBASE_USD,
  CURRENT_HASHRATE,
  DIFFICULTY,
  EXPECTED,
  PRICE_USD,
  TIP_HEIGHT,
  TIP_TIME_SEC,
} from '../fakes/world.ts';

const T0 = Date.parse('2025-04-01T21:05:00Z');
const TIMEOUT_MS = 300;

let fake: FakeMempool;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  fake = await startFakeMempool();
});
afterAll(async () => {
  await fake.close();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});
beforeEach(() => {
  fake.clearFaults();
  fake.resetHits();
  fake.setPriceUsd(PRICE_USD);
  fake.setDifficulty(DIFFICULTY);
  fake.setFeesPerBlockSats(AVG_FEES_SATS);
});

function setup(timeoutMs = TIMEOUT_MS) {
  const clock = { t: T0 };
  const sleeps: number[] = [];
  const config = loadConfig({
    ...fake.env,
    HTTP_TIMEOUT_MS: String(timeoutMs),
  });
  const market = createMarket({
    config,
    logger: silentLogger,
    now: () => clock.t,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  });
  return { market, clock, sleeps };
}

describe('healthy upstream: every resource, normalised', () => {
  it('tip, reward stats and price give the hand-checked hashprice', async () => {
    const { market } = setup();
    const [tip, stats, prices] = await Promise.all([market.tip(), market.rewardStats(144), market.prices()]);
    expect(tip).toEqual({
      value: { height: TIP_HEIGHT, timestampSec: TIP_TIME_SEC, difficulty: DIFFICULTY },
      source: 'mempool (127.0.0.1)',
      fetchedAt: T0,
      stale: false,
    });
    expect(stats.value).toEqual({
      startBlock: 890304,
      endBlock: 890447,
      totalRewardSats: 45288000000,
      totalFeeSats: 288000000,
      totalTx: 520000,
    });
    expect(prices.value.rates.USD).toBe(PRICE_USD);
    const hp = hashprice({
      difficulty: tip.value.difficulty,
      subsidyBtc: subsidyBtc(tip.value.height),
      avgFeesBtc: avgFeesBtcFromRewardStats(stats.value),
      priceUsd: prices.value.rates.USD!,
    });
    expect(hp.usdPerPhDay).toBeCloseTo(EXPECTED.hashpriceUsdPerPhDay, 10);
    expect(hp.btcPerPhDay).toBeCloseTo(EXPECTED.hashpriceBtcPerPhDay, 15);
    expect(impliedHashrate(tip.value.difficulty) / 1e18).toBeCloseTo(EXPECTED.impliedHashrateEhs, 9);
  });

  it('network: height from tip/height, hashrate and difficulty from hashrate/3d (H/s)', async () => {
    const { market } = setup();
    expect((await market.network()).value).toEqual({ height: TIP_HEIGHT, difficulty: DIFFICULTY, hashrate: CURRENT_HASHRATE });
  });

  it('difficulty adjustment, fees, pools', async () => {
    const { market } = setup();
    const [adj, fees, day, week] = await Promise.all([
      market.difficultyAdjustment(),
      market.recommendedFees(),
      market.pools('24h'),
      market.pools('1w'),
    ]);
    // Re-timed to the tip: next retarget 891,072 − tip 890,447 = 625 blocks × 574,743 ms (recorded timeAvg).
    expect(adj.value.remainingBlocks).toBe(625);
    expect(adj.value.nextRetargetHeight).toBe(891072);
    expect(adj.value.remainingTimeMs).toBe(359214375);
    expect(adj.value.estimatedRetargetDate).toBe(1743541240000 + 359214375);
    expect(adj.value.difficultyChangePercent).toBeCloseTo(5.914788959658535, 12);
    expect(fees.value.fastestFee).toBe(8);
    expect(day.value.blockCount).toBe(144);
    expect(day.value.pools.reduce((a, p) => a + p.blockCount, 0)).toBe(144);
    expect(day.value.pools.some((p) => p.slug === 'unknown')).toBe(true);
    expect(week.value.window).toBe('1w');
    expect(week.value.blockCount).toBe(1024);
  });

  it('histories are sorted oldest first and end at the live world', async () => {
    // A long timeout: the fake builds three years of 12-hour buckets on first ask; this is about shape.
    const { market } = setup(10_000);
    const [hr, rewards, feeHist, prices] = await Promise.all([
      market.hashrateHistory('1y'),
      market.rewardHistory('3y'),
      market.feeHistory('1m'),
      market.priceHistory(),
    ]);
    for (const series of [
      hr.value.hashrates.map((p) => p.timestampSec),
      rewards.value.map((p) => p.timestampSec),
      prices.value.map((p) => p.timeSec),
    ]) {
      expect(series).toEqual([...series].sort((a, b) => a - b));
    }
    // mempool's daily hashrate rows sit at UTC midnight
    expect(hr.value.hashrates.at(-1)?.timestampSec).toBe(Math.floor(TIP_TIME_SEC / 86_400) * 86_400);
    // The last hourly price row is 21:00:00, 40 s before the tip block.
    expect(prices.value.at(-1)).toEqual({ timeSec: TIP_TIME_SEC - 40, usd: PRICE_USD });
    expect(hr.value.currentDifficulty).toBe(DIFFICULTY);
    expect(hr.value.difficulty.at(-1)?.difficulty).toBe(DIFFICULTY);
    // Newest 12-hour bucket (3y): the 54 blocks 12:00:40 … 20:50:40 (the tip block has no price row after
    // it yet): avgHeight 890,447 − 27.5 → 890,420; time 12:00:40 + 26.5 × 600 s = 16:25:40 = tip − 16,500 s.
    expect(rewards.value.at(-1)).toEqual({
      avgHeight: 890_420,
      timestampSec: TIP_TIME_SEC - 16_500,
      avgRewardsSats: 314_500_000,
      usd: PRICE_USD,
    });
    // before the 2024 halving the subsidy was 6.25 BTC
    expect(rewards.value[0]!.avgRewardsSats).toBeGreaterThan(625_000_000);
    expect(feeHist.value.at(-1)?.avgFeesSats).toBe(AVG_FEES_SATS);
  });

  it('follows a moving world once the cache expires', async () => {
    const { market, clock } = setup();
    expect((await market.prices()).value.rates.USD).toBe(PRICE_USD);
    fake.setPriceUsd(60000);
    expect((await market.prices()).value.rates.USD).toBe(PRICE_USD); // still fresh in cache
    clock.t += TTL_MS.prices;
    const moved = await market.prices();
    expect(moved.value.rates.USD).toBe(60000);
    expect(moved.fetchedAt).toBe(clock.t);
    expect(fake.hits('/api/v1/prices')).toBe(2);
  });

  it('bad arguments are refused without a request', async () => {
    const { market } = setup();
    await expect(market.rewardStats(0)).rejects.toThrow(RangeError);
    await expect(market.pools('2w' as never)).rejects.toThrow(/24h, 3d, 1w/);
    expect(fake.hits()).toBe(0);
  });
});

describe('coalescing: upstream calls do not grow with users', () => {
  it('10,000 concurrent prices() → one upstream request', async () => {
    const { market } = setup();
    const answers = await Promise.all(Array.from({ length: 10_000 }, () => market.prices()));
    expect(fake.hits('/api/v1/prices')).toBe(1);
    expect(market.callCounts()).toEqual({ 'mempool (127.0.0.1) /v1/prices': 1 });
    expect(new Set(answers.map((a) => a.value.rates.USD))).toEqual(new Set([PRICE_USD]));
  });

  it('1000 concurrent asks while upstream fails → one refresh (its retries), one error each, then a cool-down', async () => {
    const { market, clock } = setup();
    fake.setFault('/api/v1/difficulty-adjustment', { kind: '500' });
    const results = await Promise.allSettled(Array.from({ length: 1000 }, () => market.difficultyAdjustment()));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof UpstreamError)).toBe(true);
    expect(fake.hits('/api/v1/difficulty-adjustment')).toBe(3);
    await expect(market.difficultyAdjustment()).rejects.toThrow(UpstreamError);
    expect(fake.hits('/api/v1/difficulty-adjustment')).toBe(3);
    fake.clearFaults();
    clock.t += 15_000;
    expect((await market.difficultyAdjustment()).stale).toBe(false);
    expect(fake.hits('/api/v1/difficulty-adjustment')).toBe(4);
  });
});

describe('fallbacks', () => {
  it('prices: mempool 500 (retried with backoff) → Coinbase, strings converted, labelled', async () => {
    const { market, sleeps } = setup();
    fake.setFault('/api/v1/prices', { kind: '500' });
    const p = await market.prices();
    expect(p.source).toBe('Coinbase');
    expect(p.stale).toBe(false);
    expect(p.note).toBe('mempool (127.0.0.1) failed (HTTP 500); using Coinbase');
    expect(p.value.rates).toMatchObject({ USD: COINBASE_USD, EUR: COINBASE_EUR });
    expect(Object.keys(p.value.rates).sort()).toEqual(['AUD', 'CAD', 'CHF', 'EUR', 'GBP', 'JPY', 'USD']);
    expect(p.value.timeSec).toBe(Math.floor(T0 / 1000));
    expect(fake.hits('/api/v1/prices')).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!);
  });

  it('network: mempool down → blockchain.info, hashrate converted from GH/s to H/s', async () => {
    const { market } = setup();
    fake.setFault('/api', { kind: '500' });
    const n = await market.network();
    expect(n.source).toBe('blockchain.info');
    expect(n.value).toEqual({ height: TIP_HEIGHT, difficulty: DIFFICULTY, hashrate: CURRENT_HASHRATE });
    expect(n.note).toMatch(/^mempool \(127\.0\.0\.1\) failed \(HTTP 500\); using blockchain\.info$/);
  });

  it('tip: blockchain.info has no block time, so the fetch time is used and said', async () => {
    const { market } = setup();
    fake.setFault('/api/v1/blocks', { kind: '500' });
    const tip = await market.tip();
    expect(tip.source).toBe('blockchain.info');
    expect(tip.value).toEqual({ height: TIP_HEIGHT, difficulty: DIFFICULTY, timestampSec: Math.floor(T0 / 1000) });
    expect(tip.note).toBe('mempool (127.0.0.1) failed (HTTP 500); using blockchain.info; block time unknown, fetch time shown');
  });

  it('every source down and nothing cached → UpstreamError naming each source and failure', async () => {
    const { market } = setup();
    fake.setFault('/api/v1/prices', { kind: '500' });
    fake.setFault('/coinbase', { kind: 'drift' });
    const err = await market.prices().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).resource).toBe('prices');
    expect((err as Error).message).toBe(
      'Could not get the BTC price: mempool (127.0.0.1) failed (HTTP 500) and Coinbase failed (unexpected response shape), and no earlier value is cached.',
    );
  });
});

describe('stale values', () => {
  it('a failed refresh serves the last good value, stale, with its age and why', async () => {
    const { market, clock } = setup();
    const good = await market.prices();
    fake.setFault('/api/v1/prices', { kind: '500' });
    fake.setFault('/coinbase', { kind: '500' });
    clock.t += TTL_MS.prices + 1000;
    const stale = await market.prices();
    expect(stale).toEqual({
      value: good.value,
      source: 'mempool (127.0.0.1)',
      fetchedAt: T0,
      stale: true,
      note: 'mempool (127.0.0.1): HTTP 500; Coinbase: HTTP 500',
    });
    expect(clock.t - stale.fetchedAt).toBe(61_000);
  });

  it('malformed JSON and schema drift after a success → stale, never a crash', async () => {
    const { market, clock } = setup();
    await market.pools('1w');
    await market.rewardStats(144);
    fake.setFault('/api/v1/mining/pools', { kind: 'malformed' });
    fake.setFault('/api/v1/mining/reward-stats', { kind: 'drift' });
    clock.t += TTL_MS.pools;
    const [pools, stats] = await Promise.all([market.pools('1w'), market.rewardStats(144)]);
    expect(pools.stale).toBe(true);
    expect(pools.note).toBe('mempool (127.0.0.1): invalid JSON');
    expect(pools.value.blockCount).toBe(1024);
    expect(stats.stale).toBe(true);
    expect(stats.note).toBe('mempool (127.0.0.1): unexpected response shape');
    // bad bodies are not retried: the same bytes would come back
    expect(fake.hits('/api/v1/mining/pools')).toBe(2);
  });

  it('malformed JSON with nothing cached → UpstreamError', async () => {
    const { market } = setup();
    fake.setFault('/api/v1/mining/hashrate/1y', { kind: 'malformed' });
    await expect(market.hashrateHistory('1y')).rejects.toThrow(
      'Could not get hashrate history (1y): mempool (127.0.0.1) failed (invalid JSON), and no earlier value is cached.',
    );
  });

  it('drifted plain-text answers from blockchain.info are refused too', async () => {
    const { market } = setup();
    fake.setFault('/api', { kind: '500' });
    fake.setFault('/bcinfo/q/hashrate', { kind: 'drift' });
    await expect(market.network()).rejects.toThrow(/blockchain\.info failed \(unexpected response shape\)/);
  });
});

describe('rate limits and timeouts', () => {
  it('429 with a short Retry-After is waited out (by the injected sleep), then succeeds', async () => {
    const { market, sleeps } = setup();
    fake.setFault('/api/v1/prices', { kind: '429', retryAfterSec: 3, times: 1 });
    const p = await market.prices();
    expect(p.source).toBe('mempool (127.0.0.1)');
    expect(sleeps).toEqual([3000]);
    expect(fake.hits('/api/v1/prices')).toBe(2);
  });

  it('429 with a long Retry-After: no waiting, fall back now, and leave mempool alone until then', async () => {
    const { market, clock, sleeps } = setup();
    fake.setFault('/api', { kind: '429', retryAfterSec: 120 });
    const p = await market.prices();
    expect(p.source).toBe('Coinbase');
    expect(p.note).toBe('mempool (127.0.0.1) failed (rate limited (HTTP 429), retry after 120 s); using Coinbase');
    expect(sleeps).toEqual([]);
    expect(fake.hits('/api')).toBe(1);

    // another mempool resource a minute later: mempool is not asked, blockchain.info answers
    clock.t += 60_000;
    const tip = await market.tip();
    expect(tip.source).toBe('blockchain.info');
    expect(tip.note).toMatch(/^mempool \(127\.0\.0\.1\) failed \(rate limited \(HTTP 429\), retry after 60 s\); using blockchain\.info/);
    expect(fake.hits('/api')).toBe(1);

    // after Retry-After has passed, mempool is asked again
    fake.clearFaults();
    clock.t += 61_000;
    expect((await market.prices()).source).toBe('mempool (127.0.0.1)');
    expect(fake.hits('/api')).toBe(2);
  });

  it('a hanging primary: the fallback starts after a quarter of the timeout (not after it), the wait is named', async () => {
    const { market } = setup();
    fake.setFault('/api/v1/prices', { kind: 'timeout' });
    const p = await market.prices();
    expect(p.source).toBe('Coinbase');
    // 300 ms timeout → Coinbase asked after 75 ms, while mempool was still silent (issue 10 item 8).
    expect(p.note).toMatch(/^mempool \(127\.0\.0\.1\) did not answer within 0\.\d s; using Coinbase$/);
    expect(fake.hits('/api/v1/prices')).toBe(1);
  });

  it('timeout with no fallback and nothing cached → UpstreamError', async () => {
    const { market } = setup();
    fake.setFault('/api/v1/fees/recommended', { kind: 'timeout' });
    await expect(market.recommendedFees()).rejects.toThrow(
      'Could not get recommended fee rates: mempool (127.0.0.1) failed (timeout after 0.3 s), and no earlier value is cached.',
    );
  });

  it('slow but inside the timeout is simply slow', async () => {
    const { market } = setup(2000);
    fake.setDelay('/api/v1/mining/pools', 150);
    try {
      const pools = await market.pools('1m');
      expect(pools.stale).toBe(false);
      expect(pools.value.pools.reduce((a, p) => a + p.blockCount, 0)).toBe(4320);
    } finally {
      fake.setDelay('/api/v1/mining/pools', 0);
    }
  });

  it('connection refused is retried, then reported', async () => {
    const closed = await startFakeMempool();
    const url = closed.apiUrl;
    await closed.close();
    const sleeps: number[] = [];
    const market = createMarket({
      config: loadConfig({ MEMPOOL_API_URL: url, PRICE_FALLBACK_URL: fake.priceFallbackUrl, CHAIN_FALLBACK_URL: fake.chainFallbackUrl }),
      logger: silentLogger,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    await expect(market.difficultyAdjustment()).rejects.toThrow(/mempool \(127\.0\.0\.1\) failed \(connection failed \(ECONNREFUSED\)\)/);
    expect(sleeps).toHaveLength(2);
    expect(market.callCounts()['mempool (127.0.0.1) /v1/difficulty-adjustment']).toBe(3);
  });
});

describe('logging', () => {
  it('upstream failures are logged as warnings naming source, path and reason, without base URLs', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const market = createMarket({
      config: loadConfig({ ...fake.env }),
      logger,
      sleep: async () => undefined,
    });
    fake.setFault('/api/v1/prices', { kind: '500' });
    await market.prices();
    const warnings = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 40);
    expect(warnings.filter((w) => w.msg === 'upstream request failed')).toHaveLength(3);
    expect(warnings[0]).toMatchObject({ source: 'mempool (127.0.0.1)', path: '/v1/prices', reason: 'HTTP 500', attempt: 1 });
    expect(lines.join('\n')).not.toContain('http://127.0.0.1');
  });
});

describe('configured sources (issue 9 §3)', () => {
  it('the footer names the mempool that was asked: mempool.space only for mempool.space, else its host', () => {
    expect(mempoolSourceName('https://mempool.space/api')).toBe('mempool.space');
    expect(mempoolSourceName('https://mempool.space/signet/api')).toBe('mempool.space');
    expect(mempoolSourceName('https://mempool.example.org/api')).toBe('mempool (mempool.example.org)');
    expect(mempoolSourceName('http://umbrel.local:3006/api')).toBe('mempool (umbrel.local)');
  });

  it('PRICE_FALLBACK_URL= and CHAIN_FALLBACK_URL= set empty turn the fallbacks off: nothing is sent there', async () => {
    const config = loadConfig({ ...fake.env, PRICE_FALLBACK_URL: '', CHAIN_FALLBACK_URL: ' ', HTTP_TIMEOUT_MS: String(TIMEOUT_MS) });
    expect(config.PRICE_FALLBACK_URL).toBeUndefined();
    expect(config.CHAIN_FALLBACK_URL).toBeUndefined();
    // unset keeps the public defaults
    expect(loadConfig({}).PRICE_FALLBACK_URL).toBe('https://api.coinbase.com');
    const market = createMarket({ config, logger: silentLogger, now: () => T0, sleep: async () => undefined });
    fake.setFault('/api', { kind: '500' });
    await expect(market.prices()).rejects.toThrow(
      /^Could not get the BTC price: mempool \(127\.0\.0\.1\) failed \(HTTP 500\), and no earlier value is cached\.$/,
    );
    await expect(market.tip()).rejects.toThrow(/^Could not get the chain tip: mempool \(127\.0\.0\.1\) failed \(HTTP 500\), and/);
    expect(fake.hits('/coinbase') + fake.hits('/bcinfo')).toBe(0);
  });
});
