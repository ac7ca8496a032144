/**
 * Every command against the fake mempool in the states the real one is found in (its genesis rows,
 * placeholders, its node or price feeds down): an answer, or a partial answer / clear failure that
 * says what is missing — never a crash or "unexpected response shape".
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { runCommand } from '../../src/core/run.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { startFakeMempool, type Edge, type FakeMempool } from '../fakes/mempool.ts';
import { LAST_RETARGET_HEIGHT, TIP_HEIGHT, TIP_TIME_SEC, feesAt } from '../fakes/world.ts';

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
let fake: FakeMempool;
beforeAll(async () => {
  fake = await startFakeMempool();
});
afterAll(() => fake.close());
afterEach(() => {
  for (const edge of ['nodeDown', 'priceFeedDown', 'placeholders'] as const) fake.setEdge(edge, false);
});

const freshMarket = (logger = silentLogger): Market =>
  createMarket({ config: loadConfig({ ...fake.env, HTTP_TIMEOUT_MS: '5000' }), logger, now: () => NOW, sleep: async () => undefined });
const run = (market: Market, name: string, raw: Record<string, unknown> = {}) =>
  runCommand(commands, name, raw, { market, now: () => NOW, platform: 'cli', version: 'test', services: {} }, silentLogger);

const SAMPLE: Record<string, Record<string, string>> = { profit: { model: 's19jpro', power: '0.06' }, chart: { metric: 'hashprice' } };
// /alert, /forget and /settings manage the asker's stored data (a store and a user): test/alerts,
// test/commands/forget and test/commands/settings cover them.
const DATA_COMMANDS = commands.map((c) => c.name).filter((n) => n !== 'alert' && n !== 'forget' && n !== 'settings');

async function runAll(market: Market) {
  const out: Record<string, { tone: string | undefined; text: string }> = {};
  for (const name of DATA_COMMANDS) {
    const reply = await run(market, name, SAMPLE[name] ?? {});
    out[name] = { tone: reply.tone, text: renderText(reply) };
  }
  return out;
}

function expectHonest(replies: Awaited<ReturnType<typeof runAll>>) {
  for (const [name, { tone, text }] of Object.entries(replies)) {
    expect(text, name).not.toMatch(/unexpected response shape|went wrong on our side/);
    if (tone === 'error') expect(text, name).toMatch(/Could not get .+: .+ failed \(/);
  }
}

describe('every command against each state of the real server', () => {
  it('healthy, with the unfiltered history starting at genesis: every command answers', async () => {
    const replies = await runAll(freshMarket());
    expectHonest(replies);
    for (const [name, { tone, text }] of Object.entries(replies)) expect(tone, `${name}\n${text}`).not.toBe('error');
    // /hashrate reads the unfiltered history, whose first difficulty row has adjustment 0.
    expect(replies.hashrate!.text).toMatch(/7-day average\s+\d/);
    // 2024-12-02's hours run 103,950 … 106,050 around its mean of 105,000: the high is a day's mean,
    // not its highest hour (which the old "daily close" label showed).
    expect(replies.price!.text).toMatch(/All-time high \(daily mean\)\s+\$105,000 on 2024-12-02/);
  });

  it.each<Edge>(['placeholders', 'nodeDown', 'priceFeedDown'])('%s: answers or says what is missing', async (edge) => {
    fake.setEdge(edge, true);
    const replies = await runAll(freshMarket());
    expectHonest(replies);
    for (const name of ['hashprice', 'hashrate', 'price', 'pools', 'security', 'chart']) {
      expect(replies[name]!.tone, `${edge} /${name}\n${replies[name]!.text}`).not.toBe('error');
    }
  });

  it('nodeDown: current hashrate from the chain fallback; the difficulty estimate fails naming the 503', async () => {
    fake.setEdge('nodeDown', true);
    const market = freshMarket();
    expect(renderText(await run(market, 'hashrate'))).toMatch(/Current estimate\s+810\.0 EH\/s \(blockchain\.info\)/);
    const difficulty = await run(market, 'difficulty');
    expect(difficulty.tone).toBe('error');
    expect(renderText(difficulty)).toMatch(
      /Could not get the difficulty adjustment estimate: mempool \(127\.0\.0\.1\) failed \(HTTP 503\)/,
    );
  });

  it('priceFeedDown: mempool\'s -1 placeholder is "no price", so Coinbase answers and says why', async () => {
    fake.setEdge('priceFeedDown', true);
    const text = renderText(await run(freshMarket(), 'price'));
    expect(text).toMatch(/BTC\/USD\s+\$69,851/);
    expect(text).toMatch(/mempool \(127\.0\.0\.1\) failed \(no price \(USD -1, time 0: mempool's price feeds are down\)\); using Coinbase/);
  });

  it('odd rows are logged once per endpoint at warn, then at debug', async () => {
    const lines: string[] = [];
    const market = freshMarket(createLogger({ level: 'debug' }, { write: (line: string) => lines.push(line) }));
    await market.hashrateHistory('all');
    fake.setEdge('placeholders', true);
    await market.hashrateHistory('3m');
    const dropped = lines
      .map((l) => JSON.parse(l) as { level: number; msg: string; path: string; dropped: number })
      .filter((l) => l.msg.startsWith('upstream rows dropped'));
    // 'all': the five genesis-era days mempool stored as 0 (2009-01-04 … 01-08); '3m': the placeholder
    // day. Same endpoint, so only the first is a warning.
    expect(dropped.map(({ level, path, dropped: n }) => ({ level, path, n }))).toEqual([
      { level: 40, path: '/v1/mining/hashrate/all', n: 5 },
      { level: 20, path: '/v1/mining/hashrate/3m', n: 1 },
    ]);
  });
});

describe('/price and /hashprice describe the same days', () => {
  it('7d: with no retarget in between, the hashprice change is the price change times the reward change', async () => {
    // The last retarget was 1,391 blocks (9.7 days) before the tip, so day −7 has today's difficulty.
    expect((TIP_HEIGHT - LAST_RETARGET_HEIGHT) * 600).toBeGreaterThan(8 * 86_400);
    const market = freshMarket();
    const hp = (await run(market, 'hashprice')).data as { changes: Record<string, number> };
    const price = (await run(market, 'price')).data as { changes: Record<string, number> };
    // hashprice(now) / hashprice(day −7) = (3.125 + 0.02) / (3.125 + fees of day −7) × 69,880 / price(day −7)
    const rewardRatio = 3.145 / (3.125 + feesAt(7) / 1e8);
    expect((1 + hp.changes['7d']! / 100) / (1 + price.changes['7d']! / 100)).toBeCloseTo(rewardRatio, 12);
  });
});
