/**
 * /about in the test world: the version, the latest block and its age, where the numbers come from,
 * how long each is cached (the same figures the market's caches use), and the hashprice formula.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { createMarket, TTL_MS } from '../../src/sources/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { TIP_TIME_SEC } from '../fakes/world.ts';
import { CATALOG, METRIC_IDS } from '../../src/core/metrics/catalog.ts';
import { stubMarket } from '../market-data/stub-market.ts';

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
let fake: FakeMempool;
let text: string;

beforeAll(async () => {
  fake = await startFakeMempool();
  const market = createMarket({ config: loadConfig(fake.env), logger: silentLogger, now: () => NOW });
  text = renderText(
    await runCommand(commands, 'about', {}, { market, now: () => NOW, platform: 'cli', version: '9.8.7', services: {} }, silentLogger),
  );
});
afterAll(async () => {
  await fake.close();
});

describe('/about', () => {
  it('credits the configured instance and leaves out a fallback that is turned off (issue 9: self-hosting)', async () => {
    const market = createMarket({ config: loadConfig({ ...fake.env, PRICE_FALLBACK_URL: '' }), logger: silentLogger, now: () => NOW });
    const off = renderText(
      await runCommand(commands, 'about', {}, { market, now: () => NOW, platform: 'cli', version: '9.8.7', services: {} }, silentLogger),
    );
    expect(off).not.toContain('mempool.space API');
    expect(off).not.toContain('Coinbase');
    expect(off).toMatch(/blockchain\.info \(fallback\)/);
  });

  it('names the version it was given and the latest block with its age', () => {
    expect(text.split('\n')[0]).toBe('hashwatch 9.8.7');
    // Asked at tip + 420 s: 7 minutes.
    expect(text).toContain('Latest block 890,447, mined 7 min ago.');
  });

  it('lists the primary source and both fallbacks with what each provides', () => {
    // The instance configured, by the name footers use: the fake is a self-hosted mempool at 127.0.0.1.
    expect(text).toMatch(/mempool \(127\.0\.0\.1\) API \(primary\) +blocks, difficulty, fees, pools, hashrate and price history, prices\n/);
    expect(text).toMatch(/Coinbase \(fallback\) +BTC price in USD and other currencies when mempool is down\n/);
    expect(text).toMatch(/blockchain\.info \(fallback\) +block height, difficulty and hashrate when mempool is down\n/);
  });

  it('states the cache times the market uses', () => {
    // 30,000 ms = 30 s; 60,000 ms = 1 min; 120,000 ms = 2 min; 300,000 ms = 5 min; 1,800,000 ms = 30 min.
    expect([TTL_MS.tip, TTL_MS.prices, TTL_MS.rewardStats, TTL_MS.recommendedFees, TTL_MS.pools, TTL_MS.history]).toEqual([
      30_000, 60_000, 120_000, 30_000, 300_000, 1_800_000,
    ]);
    expect(text).toMatch(
      /Cached for +tip 30 s, prices 1 min, 144-block fees 2 min, fee rates 30 s, pools 5 min, history 30 min; a failed refresh serves the last value marked stale\n/,
    );
  });

  it('gives the hashprice formula the figures use', () => {
    expect(text).toMatch(
      /Formulas +hashprice = 86400·1e15 \/ \(difficulty·2\^32\) × \(subsidy \+ average fees of the last 144 blocks\) × price\n/,
    );
  });

  it('names its source and how fresh it is', () => {
    expect(text).toMatch(/\nSource: mempool \(127\.0\.0\.1\) \(fetched just now\)$/);
  });
});

describe('/about metrics', () => {
  it('lists every metric of the catalog with where to use it (issue 11: one catalog)', async () => {
    const nowSec = Date.UTC(2025, 3, 1, 15) / 1000;
    const reply = await runCommand(
      commands,
      'about',
      {},
      { market: stubMarket(nowSec), now: () => nowSec * 1000, platform: 'console', version: 'test', services: {} },
    );
    expect(reply.sections.map((s) => s.title)).toEqual(['Sources', 'Freshness', 'Metrics watched and recorded']);
    const metrics = reply.sections[2]!.fields;
    expect(metrics.map((f) => f.label)).toEqual(METRIC_IDS.map((id) => CATALOG[id].label));
    const line = (id: keyof typeof CATALOG) => metrics.find((f) => f.label === CATALOG[id].label)!.value;
    expect(line('hashprice_btc')).toBe('in BTC/PH/day; /alert add hashprice_btc, /chart hashprice-btc');
    expect(line('hashrate')).toBe('in EH/s; /alert add hashrate');
    expect(line('hashrate_daily')).toBe('in EH/s; /chart hashrate');
    expect(line('nakamoto')).toBe('in pools; /alert add nakamoto');
  });
});
