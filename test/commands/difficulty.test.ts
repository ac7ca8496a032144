/**
 * /difficulty in the test world: the fake serves mempool's recorded difficulty-adjustment body
 * (test/fixtures/mempool/2024-03-31/v1-difficulty-adjustment.json) re-timed to the 2025-04-01 tip, so
 * progress, blocks left and ETA are worked out here from the tip and the recorded rates.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { createMarket } from '../../src/sources/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { DIFFICULTY, TIP_HEIGHT, TIP_TIME_SEC } from '../fakes/world.ts';

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
const recorded = JSON.parse(
  readFileSync(new URL('../fixtures/mempool/2024-03-31/v1-difficulty-adjustment.json', import.meta.url), 'utf8'),
) as {
  difficultyChange: number;
  previousRetarget: number;
  timeAvg: number;
};
let fake: FakeMempool;
let text: string;

beforeAll(async () => {
  fake = await startFakeMempool();
  const market = createMarket({ config: loadConfig(fake.env), logger: silentLogger, now: () => NOW });
  text = renderText(
    await runCommand(commands, 'difficulty', {}, { market, now: () => NOW, platform: 'cli', version: 'test', services: {} }, silentLogger),
  );
});
afterAll(async () => {
  await fake.close();
});

describe('/difficulty', () => {
  it('places the tip in its epoch: progress and blocks left', () => {
    // The epoch began at floor(890,447 / 2,016) × 2,016 = 889,056 and ends at 891,072.
    const epochStart = Math.floor(TIP_HEIGHT / 2016) * 2016;
    expect(epochStart).toBe(889_056);
    // 891,072 − 890,447 = 625 blocks left; (2,016 − 625) / 2,016 = 1,391 / 2,016 = 69.0 % done.
    expect(epochStart + 2016 - TIP_HEIGHT).toBe(625);
    expect((1391 / 2016) * 100).toBeCloseTo(68.998, 3);
    expect(text).toMatch(/Epoch progress +69\.0 %\n/);
    expect(text).toMatch(/Blocks left +625\n/);
  });

  it('gives mempool’s estimated and previous change, and the current difficulty', () => {
    // The recorded estimate +5.9148 % and previous change −0.9779 %; difficulty 113,757,508,810,854 = 113.76 T.
    expect(recorded.difficultyChange).toBeCloseTo(5.9148, 4);
    expect(recorded.previousRetarget).toBeCloseTo(-0.9779, 4);
    expect(DIFFICULTY / 1e12).toBeCloseTo(113.7575, 4);
    expect(text).toMatch(/Estimated change +\+5\.91 %\n/);
    expect(text).toMatch(/Previous change +−0\.98 %\n/);
    expect(text).toMatch(/Current difficulty +113\.76 T\n/);
  });

  it('dates the adjustment from the recorded block interval', () => {
    // 625 blocks × 574,743 ms = 359,214,375 ms after the tip (1,743,541,240 s): 1,743,900,454,375 ms,
    // 2025-04-06 00:47:34 UTC; from now (tip + 7 min) that is 358,794,375 ms = 4.15 days.
    const etaMs = TIP_TIME_SEC * 1000 + 625 * recorded.timeAvg;
    expect(etaMs).toBe(1_743_900_454_375);
    expect(new Date(etaMs).toISOString()).toBe('2025-04-06T00:47:34.375Z');
    expect((etaMs - NOW) / 86_400_000).toBeCloseTo(4.1527, 4);
    // 574,743 ms = 9.58 min a block.
    expect(recorded.timeAvg / 60_000).toBeCloseTo(9.579, 3);
    expect(text).toContain('Estimated +5.91 % at block 891,072, in 4.2 days (2025-04-06 00:47 UTC).');
    expect(text).toContain('Blocks are arriving every 9.6 min on average this epoch (target 10).');
    expect(text).toMatch(/ETA +2025-04-06 00:47 UTC\n/);
  });

  it('names its source and how fresh it is', () => {
    expect(text).toMatch(/\nSource: mempool \(127\.0\.0\.1\) \(fetched just now\)$/);
  });
});
