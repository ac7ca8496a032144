/** /hashprice against the fake mempool: the hand-checked figure, lows, what-ifs, an unreachable upstream, bad options. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { CommandContext } from '../../src/core/command.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';

let fake: FakeMempool;
let market: Market;
// Port 9 (discard) is closed here: every upstream refuses the connection at once.
const UNREACHABLE = {
  MEMPOOL_API_URL: 'http://127.0.0.1:9/api',
  PRICE_FALLBACK_URL: 'http://127.0.0.1:9',
  CHAIN_FALLBACK_URL: 'http://127.0.0.1:9',
  HTTP_TIMEOUT_MS: '200',
};
// Seven minutes after the fixture's tip block, so ages in footers are deterministic.
const NOW = (1743541240 + 7 * 60) * 1000;

const ctx = (m: Market = market): CommandContext => ({ market: m, now: () => NOW, platform: 'cli', version: 'test', services: {} });
const run = (name: string, raw: Record<string, unknown> = {}, m?: Market) => runCommand(commands, name, raw, ctx(m), silentLogger);

beforeAll(async () => {
  fake = await startFakeMempool();
  market = createMarket({
    config: loadConfig({ ...fake.env }),
    logger: silentLogger,
    now: () => NOW,
  });
});
afterAll(async () => {
  await fake.close();
});

describe('/hashprice', () => {
  it('computes hashprice from the served difficulty, subsidy, 144-block fees and price', async () => {
    const reply = await run('hashprice');
    expect(reply.tone).not.toBe('error');
    // D = 113757508810854, subsidy 3.125 (height 890,447), fees 288,000,000 sats / 144 blocks = 0.02 BTC,
    // price $69,880: 86400e15 / (D × 2^32) × 3.145 × 69880 = 38.86398720675945.
    expect(reply.data?.usdPerPhDay).toBeCloseTo(38.86398720675945, 9);
    expect(reply.data?.btcPerPhDay).toBeCloseTo(0.0005561532227641592, 14);
    const text = renderText(reply);
    expect(text).toContain('$38.86');
    expect(text).toContain('Block 890,447 · mined 7 min ago');
    expect(text).toMatch(/Source: mempool \(127\.0\.0\.1\)/);
    expect(text).toMatch(/Change \(USD\)\s+1d [+−]/);
    expect(text).toMatch(/30-day low \/ high/);
  });

  it('says "lowest … since" when hashprice is at a low', async () => {
    fake.setPriceUsd(50_000);
    try {
      const fresh = createMarket({ config: loadConfig(fake.env), logger: silentLogger, now: () => NOW });
      const reply = await run('hashprice', {}, fresh);
      // 38.86398720675945 × 50,000 / 69,880 = 27.8076; the fake world's history never went that low.
      expect(reply.data?.usdPerPhDay).toBeCloseTo((38.86398720675945 * 50_000) / 69_880, 9);
      expect(reply.data?.lowestSince).toBeNull();
      expect(reply.lines?.[0]).toMatch(/^Lowest hashprice on record in the data we have \(since \d{4}-\d{2}-\d{2}\)\.$/);
      expect(renderText(reply)).toMatch(/30-day low \/ high\s+\$27\.81 \(2025-04-01\)/);
    } finally {
      fake.setPriceUsd(69_880);
    }
  });

  it('replaces live inputs with what-if options', async () => {
    const reply = await run('hashprice', { price: '60000' });
    // Same as above with price 60,000: 38.86398720675945 × 60000 / 69880.
    expect(reply.data?.usdPerPhDay).toBeCloseTo((38.86398720675945 * 60000) / 69880, 9);
    expect(reply.title).toBe('Hashprice (what-if)');
  });

  it('needs no network when price, difficulty, fees and height are all given', async () => {
    const offline = createMarket({
      config: loadConfig(UNREACHABLE),
      logger: silentLogger,
    });
    const reply = await run('hashprice', { price: '69880', difficulty: '113757508810854', fees: '0.02', height: '890447' }, offline);
    expect(reply.data?.usdPerPhDay).toBeCloseTo(38.86398720675945, 9);
    expect(Object.values(offline.callCounts()).reduce((a, b) => a + b, 0)).toBe(0);
    expect(reply.footer).toEqual(['What-if: every input given by you; no network data used']);
  });

  it('says plainly which source failed when upstream is unreachable', async () => {
    const offline = createMarket({
      config: loadConfig(UNREACHABLE),
      logger: silentLogger,
    });
    const reply = await run('hashprice', {}, offline);
    expect(reply.tone).toBe('error');
    expect(renderText(reply)).toMatch(/mempool \(127\.0\.0\.1\)|Coinbase|blockchain\.info/);
    expect(renderText(reply)).toMatch(/unreachable|refused|failed|timeout/i);
  });

  it('rejects a bad option with what is accepted', async () => {
    const reply = await run('hashprice', { price: 'lots' });
    expect(reply.tone).toBe('error');
    expect(reply.lines?.[0]).toBe('`price` must be a number from 1 to 10,000,000 USD per BTC, e.g. price=60000 (got "lots")');
  });
});
