/**
 * Every command with a difficulty= what-if reads it as a miner means it and refuses a figure no
 * network can give (issue 9 §2): /halving printed "$884.21M/PH/day" for difficulty=5000000 and
 * "difficulty 0.00 T" for difficulty=120 after /hashprice had been fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { createMarket } from '../../src/sources/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { TIP_TIME_SEC } from '../fakes/world.ts';

let fake: FakeMempool;
const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
const run = (name: string, raw: Record<string, unknown>) =>
  runCommand(
    commands,
    name,
    raw,
    {
      market: createMarket({ config: loadConfig(fake.env), logger: silentLogger, now: () => NOW }),
      now: () => NOW,
      platform: 'cli',
      version: 'test',
      services: {},
    },
    silentLogger,
  );

beforeAll(async () => {
  fake = await startFakeMempool();
});
afterAll(async () => {
  await fake.close();
});

const withDifficultyWhatIf = commands.filter((c) => Object.hasOwn(c.options, 'difficulty')).map((c) => c.name);

describe('difficulty what-ifs', () => {
  it('are offered by /hashprice and /halving (the list this test covers)', () => {
    expect(withDifficultyWhatIf.sort()).toEqual(['halving', 'hashprice']);
  });

  it.each(withDifficultyWhatIf)('/%s reads a bare 120 as 120 T and says so', async (name) => {
    const reply = await run(name, { difficulty: '120' });
    expect(reply.tone).not.toBe('error');
    const text = renderText(reply);
    expect(text).toContain('Difficulty 120 read as 120 T.');
    expect(text).toContain('difficulty 120.00 T');
  });

  it.each(withDifficultyWhatIf)('/%s refuses a difficulty at which 1 PH/s would out-mine the network', async (name) => {
    // 86,400 × 1e15 / (5e6 × 2^32) = 4,023 blocks a day for 1 PH/s, against 144 for the whole network.
    const reply = await run(name, { difficulty: '5000000' });
    expect(reply.tone).toBe('error');
    expect(reply.title).toBe(`/${name}: impossible what-if`);
    expect(reply.lines?.join('\n')).toContain('1 PH/s would find 4,023 blocks a day');
  });
});
