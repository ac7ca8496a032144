/**
 * /pools in the test world: shares, top-1/top-3, Nakamoto coefficient and HHI worked out by hand from
 * the pool counts the fake serves (the recorded 1w answer, test/fixtures/mempool/2025-04-01/
 * v1-mining-pools-1w.json; other windows scale it to their block count).
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
import { TIP_TIME_SEC } from '../fakes/world.ts';

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
const recorded = JSON.parse(readFileSync(new URL('../fixtures/mempool/2025-04-01/v1-mining-pools-1w.json', import.meta.url), 'utf8')) as {
  blockCount: number;
  pools: { name: string; blockCount: number }[];
};
const counts = recorded.pools.map((p) => p.blockCount).sort((a, b) => b - a);
let fake: FakeMempool;
const pools = async (raw: Record<string, unknown> = {}) => {
  const market = createMarket({ config: loadConfig(fake.env), logger: silentLogger, now: () => NOW });
  return renderText(
    await runCommand(commands, 'pools', raw, { market, now: () => NOW, platform: 'cli', version: 'test', services: {} }, silentLogger),
  );
};

beforeAll(async () => {
  fake = await startFakeMempool();
});
afterAll(async () => {
  await fake.close();
});

describe('/pools (1w, the default)', () => {
  it('gives the top pool and the top 3 of the 1,024 blocks', async () => {
    expect(recorded.blockCount).toBe(1024);
    expect(counts.slice(0, 3)).toEqual([323, 171, 166]);
    // Foundry USA 323 / 1,024 = 31.54 %; top 3 (323 + 171 + 166) / 1,024 = 660 / 1,024 = 64.45 %.
    expect((323 / 1024) * 100).toBeCloseTo(31.543, 3);
    expect((660 / 1024) * 100).toBeCloseTo(64.453, 3);
    const text = await pools();
    expect(text).toContain('Foundry USA found 31.5 % of the 1,024 blocks in the last week; the top 3 found 64.5 %.');
    expect(text).toMatch(/Top pool +Foundry USA 31\.5 %\n/);
    expect(text).toMatch(/Top 3 +64\.5 %\n/);
  });

  it('counts the pools it takes to pass half the blocks (Nakamoto coefficient)', async () => {
    // Half of 1,024 is 512: 323 + 171 = 494 is not more, 494 + 166 = 660 is, so 3 pools.
    expect(323 + 171).toBeLessThanOrEqual(512);
    expect(323 + 171 + 166).toBeGreaterThan(512);
    const text = await pools();
    expect(text).toContain('Nakamoto coefficient 3: that many pools together found more than half the blocks.');
    expect(text).toMatch(/Nakamoto coefficient +3\n/);
  });

  it('gives the HHI over every bucket, "Unknown" included', async () => {
    // Σ counts² = 323² + 171² + 166² + 104² + 66² + 46² + 30² + 2 × 28² + 2 × 12² + 8² + 7² + 5² + 3 × 4² + 3² + 3 × 1²
    // = 181,368; HHI = Σ (100 × count / 1,024)² = 181,368 × 10,000 / 1,048,576 = 1,729.66.
    const sumSquares = counts.reduce((a, c) => a + c * c, 0);
    expect(sumSquares).toBe(181_368);
    expect((sumSquares * 10_000) / 1024 ** 2).toBeCloseTo(1729.66, 2);
    expect(await pools()).toMatch(/HHI +1,730 \(of 10,000\)\n/);
  });

  it('names "Unknown" as one bucket and folds the pools past the tenth into one line', async () => {
    // Unknown 4 / 1,024 = 0.39 %; the 11 pools after the tenth found 12 + 8 + 7 + 5 + 4 + 4 + 4 + 3 + 1 + 1 + 1 = 50 blocks, 4.88 %.
    const rest = counts.slice(10);
    expect(rest).toHaveLength(11);
    expect(rest.reduce((a, c) => a + c, 0)).toBe(50);
    const text = await pools();
    expect(text).toContain('"Unknown" (blocks no pool claimed) is counted as one bucket: 0.4 %.');
    expect(text).toMatch(/Foundry USA +31\.5 % \(323\)\n {2}AntPool +16\.7 % \(171\)\n {2}ViaBTC +16\.2 % \(166\)\n/);
    expect(text).toMatch(/11 others +4\.9 %\n/);
  });

  it('names its source and how fresh it is', async () => {
    expect(await pools()).toMatch(/\nSource: mempool \(127\.0\.0\.1\) \(fetched just now\)$/);
  });
});

describe('/pools 24h', () => {
  it('shares the 144 blocks of a day as the fake scales the week (largest remainder)', async () => {
    // Foundry USA 323 × 144 / 1,024 = 45.42 → 45 blocks, 45 / 144 = 31.25 %; AntPool 171 × 144 / 1,024 = 24.05 → 24.
    expect(Math.floor((323 * 144) / 1024)).toBe(45);
    expect((45 / 144) * 100).toBe(31.25);
    const text = await pools({ window: '24h' });
    expect(text).toContain('Foundry USA found 31.3 % of the 144 blocks in the last 24 hours');
    expect(text).toMatch(/Foundry USA +31\.3 % \(45\)\n {2}AntPool +16\.7 % \(24\)\n/);
  });
});
