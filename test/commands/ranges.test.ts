/** /pools and /chart pools read the same period words and ask mempool for the same window. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { handleConsoleLine } from '../../src/adapters/console/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { ChoiceSpec } from '../../src/core/command.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';

const NOW = (1743541240 + 7 * 60) * 1000;
let fake: FakeMempool;
let market: Market;
const makeContext = () => ({ market, now: () => NOW, platform: 'console' as const, version: 'test', services: {} });
const run = (name: string, raw: Record<string, unknown>) => runCommand(commands, name, raw, makeContext(), silentLogger);
const spelling = (name: string, option: string) => {
  const spec = commands.find((c) => c.name === name)!.options[option] as ChoiceSpec;
  return [...spec.choices, ...Object.keys(spec.aliases ?? {})];
};

beforeAll(async () => {
  fake = await startFakeMempool();
  market = createMarket({ config: loadConfig({ ...fake.env }), logger: silentLogger, now: () => NOW });
});
afterAll(async () => {
  await fake.close();
});

describe('pool windows', () => {
  it('/chart pools 24h works as /pools 24h does', async () => {
    // Before: "`range` must be one of: 7d, 30d, 90d, 1y (got "24h")".
    const text = await handleConsoleLine('/chart pools 24h', { commands, logger: silentLogger, makeContext });
    expect(text).toMatch(/^Mining pools · last 24 hours\n/);
    expect(fake.hits('/api/v1/mining/pools/24h')).toBeGreaterThan(0);
  });

  it('both commands accept exactly the same words', () => {
    expect(new Set(spelling('chart', 'range'))).toEqual(new Set(spelling('pools', 'window')));
  });

  it('each word asks mempool for the same window in both', async () => {
    for (const word of spelling('pools', 'window')) {
      const pools = await run('pools', { window: word });
      const chart = await run('chart', { metric: 'pools', range: word });
      expect(pools.tone, `/pools ${word}`).not.toBe('error');
      expect(chart.data?.window, `/chart pools ${word}`).toBe(pools.data?.window);
    }
  });

  it('refuses 24h for the daily line charts, saying which ranges they have', async () => {
    const reply = await run('chart', { metric: 'hashprice', range: '24h' });
    expect(reply.tone).toBe('error');
    expect(reply.lines?.join('\n')).toBe('A hashprice chart covers 7d, 30d, 90d, 1y; 24h is for /chart pools (or /pools 24h).');
    const hourly = await run('chart', { metric: 'hashprice', range: '7d' });
    expect(hourly.buttons?.map((b) => b.args.range)).toEqual(['30d', '90d', '1y']);
  });
});
