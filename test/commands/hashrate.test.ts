/** /hashrate against the fake mempool. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { CommandContext } from '../../src/core/command.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';

let fake: FakeMempool;
let market: Market;
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

describe('/hashrate', () => {
  it('measures the drop from the all-time high over the whole history, not the last year', async () => {
    const before = fake.hits('/api/v1/mining/hashrate/all');
    const fresh = createMarket({ config: loadConfig(fake.env), logger: silentLogger, now: () => NOW });
    const reply = await run('hashrate', {}, fresh);
    expect(fake.hits('/api/v1/mining/hashrate/all')).toBe(before + 1);
    expect(reply.lines?.[0]).toMatch(
      /^The 7-day average is \d+\.\d % below its all-time high \(7-day average peak\) of \d+\.\d EH\/s on \d{4}-\d{2}-\d{2}\.$/,
    );
  });
});
