import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import chart from '../../commands/chart.ts';
import { loadConfig } from '../../src/config.ts';
import { splitArgs, tokenize, type Command, type CommandContext } from '../../src/core/command.ts';
import { runCommand } from '../../src/core/run.ts';
import { backfillHistory } from '../../src/market-data/backfill.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { TIP_TIME_SEC } from '../fakes/world.ts';
import { stubMarket } from '../market-data/stub-market.ts';
import { pngSize } from '../charts/png.ts';

const commands = [chart] as unknown as Command[];
const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
let fake: FakeMempool;
let market: Market;
let store: Store;

const ctx = (m: Market, services: CommandContext['services'] = {}): CommandContext => ({
  market: m,
  now: () => NOW,
  platform: 'telegram',
  version: 'test',
  services,
});
/** As typed in chat: "/chart hashprice 90d". */
const typed = (text: string, c: CommandContext) =>
  runCommand(commands, 'chart', splitArgs(chart as unknown as Command, tokenize(text)), c, silentLogger);

beforeAll(async () => {
  fake = await startFakeMempool();
  market = createMarket({
    config: loadConfig({ ...fake.env }),
    logger: silentLogger,
    now: () => NOW,
  });
  store = openStore(':memory:');
});
afterAll(async () => {
  await store.close();
  await fake.close();
});

describe('/chart against the fake mempool server', () => {
  it('"/chart hashprice 90d" answers with a PNG, the latest value and the range low/high, source and age', async () => {
    const reply = await typed('hashprice 90d', ctx(market));
    expect(reply.tone).not.toBe('error');
    expect(reply.title).toBe('Hashprice (USD) · last 90 days');
    expect(pngSize(reply.chart!.png)).toEqual({ width: 1200, height: 675 });
    expect(reply.chart!.filename).toBe('hashwatch-hashprice-90d.png');
    // The newest history point is the tip day, built from the same inputs as /hashprice ($38.86).
    expect(reply.lines?.[0]).toMatch(
      /^Latest \$38\.86\/PH\/day \(2025-04-01\) · low \$[\d.]+\/PH\/day \(\d{4}-\d\d-\d\d\) · high \$[\d.]+\/PH\/day \(\d{4}-\d\d-\d\d\)$/,
    );
    expect(reply.footer).toContain('Source: mempool (127.0.0.1) (fetched just now)');
    // The newest 2-hour bucket of the 3m rewards (mining.ts getTimeRange '3m' → 7200 s) holds the six blocks
    // 20:00:40 … 20:50:40 (the tip block, 21:00:40, has no price row after it yet): mean time 20:25:40.
    expect(reply.footer.at(-1)).toBe('Newest point 2025-04-01 20:25 UTC (42 min ago)');
    expect(reply.buttons?.map((b) => b.args.range)).toEqual(['7d', '30d', '1y']);
    expect(renderText(reply)).toContain('Latest $38.86/PH/day');
  });

  it('takes the CLI spelling "--range 30d" and defaults to 30 days', async () => {
    const flagged = await typed('hashrate --range 1y', ctx(market));
    expect(flagged.title).toBe('Network hashrate · last 12 months');
    const plain = await typed('pools', ctx(market));
    // 30 days of pools is the weekly history since issue 13 (the bar chart stays for 24h and 7d).
    expect(plain.title).toBe('Mining pools over time · last 30 days');
    expect(plain.chart?.png.length).toBeGreaterThan(10_000);
  });

  it('accepts common spellings of metrics and ranges', async () => {
    const reply = await typed('diff 1w', ctx(market));
    expect(reply.title).toBe('Mining difficulty · last 7 days');
    expect((await typed('fee-share 3m', ctx(market))).title).toBe('Fee share of miner revenue · last 90 days');
    expect((await typed('hashprice_btc year', ctx(market))).title).toBe('Hashprice (BTC) · last 12 months');
  });

  it('reads from the history store when main provides one', async () => {
    await backfillHistory({ market, snapshots: store.snapshots, logger: silentLogger, now: NOW });
    const reply = await typed('price 1y', ctx(market, { historyStore: store.snapshots }));
    expect(reply.data?.origin).toBe('store');
    expect(reply.footer[0]).toBe('Source: mempool (127.0.0.1) (history stored by hashwatch)');
  });
});

describe('/chart with bad options', () => {
  const c = () => ctx(stubMarket(NOW / 1000));

  it('names the accepted metrics', async () => {
    const reply = await typed('hashpower 30d', c());
    expect(reply.tone).toBe('error');
    expect(reply.chart).toBeUndefined();
    expect(reply.lines?.join('\n')).toContain(
      '`metric` must be one of: hashprice, hashprice-btc, hashrate, price, difficulty, fees, revenue, pools (got "hashpower")',
    );
  });

  it('names the accepted ranges', async () => {
    const reply = await typed('hashprice 2y', c());
    expect(reply.tone).toBe('error');
    expect(reply.lines?.join('\n')).toContain('`range` must be one of: 24h, 7d, 30d, 90d, 1y (got "2y")');
  });

  it('asks for the metric when it is missing', async () => {
    const reply = await typed('', c());
    expect(reply.lines?.join('\n')).toMatch(/`metric` is required/);
    expect(reply.lines?.join('\n')).toContain('Example: /chart hashprice 90d');
  });

  it('reports unavailable history as a data problem, not a crash', async () => {
    const m = stubMarket(NOW / 1000);
    m.failing.add('rewardHistory');
    const reply = await typed('hashprice 30d', ctx(m));
    expect(reply.tone).toBe('error');
    expect(reply.title).toBe('/chart: data unavailable');
  });
});
