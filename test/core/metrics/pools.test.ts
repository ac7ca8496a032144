import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { poolConcentration } from '../../../src/core/metrics/index.ts';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/mempool/2025-04-01/v1-mining-pools-1w.json', import.meta.url), 'utf8')) as {
  blockCount: number;
  pools: { name: string; blockCount: number }[];
};

describe('poolConcentration on the recorded mempool 1w answer (2025-04-01)', () => {
  const c = poolConcentration(fixture.pools);

  it('matches the hand count', () => {
    // 21 pools, 1024 blocks (the answer's own blockCount agrees).
    expect(c.total).toBe(1024);
    expect(c.total).toBe(fixture.blockCount);
    // Foundry USA 323 / 1024 = 31.54 %.
    expect(c.top1.name).toBe('Foundry USA');
    expect(c.top1.share).toBeCloseTo(0.3154296875, 12);
    // Top 3: Foundry 323 + AntPool 171 + ViaBTC 166 = 660 / 1024 = 64.45 %.
    expect(c.top3Share).toBeCloseTo(0.64453125, 12);
    // Nakamoto: 323 + 171 = 494 ≤ 512 (half of 1024); + 166 = 660 > 512 → 3 pools.
    expect(c.nakamoto).toBe(3);
    // HHI = Σ (100 × n / 1024)² = 10,000 × Σ n² / 1024². Σ n² = 323² 104,329 + 171² 29,241 + 166² 27,556
    // + 104² 10,816 + 66² 4,356 + 46² 2,116 + 30² 900 + 2 × 28² 1,568 + 2 × 12² 288 + 8² 64 + 7² 49
    // + 5² 25 + 3 × 4² 48 + 3² 9 + 3 × 1² 3 = 181,368 → 10,000 × 181,368 / 1,048,576 = 1,729.66.
    expect(c.hhi).toBeCloseTo(1729.6600341796875, 9);
    // Unknown: 4 / 1024 = 0.39 %.
    expect(c.unknownShare).toBeCloseTo(0.00390625, 12);
    expect(c.shares.find((s) => s.name === 'Unknown')?.blocks).toBe(4);
  });

  it('lists every pool, largest first', () => {
    expect(c.shares).toHaveLength(21);
    expect(c.shares.slice(0, 4).map((s) => [s.name, s.blocks])).toEqual([
      ['Foundry USA', 323],
      ['AntPool', 171],
      ['ViaBTC', 166],
      ['F2Pool', 104],
    ]);
  });
});

describe('poolConcentration edge cases', () => {
  it('a single pool has everything', () => {
    const c = poolConcentration([{ name: 'Solo', blockCount: 7 }]);
    expect(c).toMatchObject({ total: 7, top1: { name: 'Solo', share: 1 }, top3Share: 1, nakamoto: 1, hhi: 10_000, unknownShare: 0 });
  });

  it('merges every spelling of Unknown into one bucket named "Unknown"', () => {
    const c = poolConcentration([
      { name: 'unknown', blockCount: 3 },
      { name: 'Unknown', blockCount: 2 },
      { name: 'UNKNOWN ', blockCount: 1 },
    ]);
    expect(c.shares).toEqual([{ name: 'Unknown', blocks: 6, share: 1 }]);
    expect(c.unknownShare).toBe(1);
    expect(c.nakamoto).toBe(1);
    expect(c.top1.name).toBe('Unknown');
  });

  it('needs more than half, not exactly half, for the Nakamoto coefficient', () => {
    // A has exactly 50 %: not a majority on its own, so 2 pools are needed.
    expect(
      poolConcentration([
        { name: 'A', blockCount: 5 },
        { name: 'B', blockCount: 3 },
        { name: 'C', blockCount: 2 },
      ]).nakamoto,
    ).toBe(2);
    expect(
      poolConcentration([
        { name: 'A', blockCount: 6 },
        { name: 'B', blockCount: 4 },
      ]).nakamoto,
    ).toBe(1);
  });

  it('orders ties by name and drops pools with no blocks', () => {
    const c = poolConcentration([
      { name: 'b', blockCount: 2 },
      { name: 'a', blockCount: 2 },
      { name: 'z', blockCount: 0 },
    ]);
    expect(c.shares.map((s) => s.name)).toEqual(['a', 'b']);
    expect(c.hhi).toBe(5_000);
  });

  it('throws a clear error for no blocks or a bad count', () => {
    expect(() => poolConcentration([])).toThrow(/no blocks/);
    expect(() => poolConcentration([{ name: 'x', blockCount: 0 }])).toThrow(/no blocks/);
    expect(() => poolConcentration([{ name: 'x', blockCount: -1 }])).toThrow(/block count of x must be a non-negative integer/);
    expect(() => poolConcentration([{ name: 'x', blockCount: 1.5 }])).toThrow(RangeError);
  });

  const pools = fc.array(
    fc.record({ name: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'Unknown', 'unknown', 'F'), blockCount: fc.integer({ min: 1, max: 1000 }) }),
    { minLength: 1, maxLength: 30 },
  );

  it('shares sum to 1, Nakamoto is between 1 and the pool count, HHI between 10,000 / n and 10,000', () => {
    fc.assert(
      fc.property(pools, (input) => {
        const c = poolConcentration(input);
        const n = c.shares.length;
        const sum = c.shares.reduce((a, s) => a + s.share, 0);
        const sorted = c.shares.every((s, i) => i === 0 || c.shares[i - 1]!.blocks >= s.blocks);
        return (
          Math.abs(sum - 1) < 1e-12 &&
          c.nakamoto >= 1 &&
          c.nakamoto <= n &&
          c.hhi >= 10_000 / n - 1e-6 &&
          c.hhi <= 10_000 + 1e-6 &&
          sorted &&
          c.total === input.reduce((a, p) => a + p.blockCount, 0) &&
          c.shares.filter((s) => s.name.toLowerCase() === 'unknown').length <= 1
        );
      }),
    );
  });

  it('the Nakamoto pools hold a majority and one fewer would not', () => {
    fc.assert(
      fc.property(pools, (input) => {
        const c = poolConcentration(input);
        const top = (k: number) => c.shares.slice(0, k).reduce((a, s) => a + s.blocks, 0);
        return 2 * top(c.nakamoto) > c.total && 2 * top(c.nakamoto - 1) <= c.total;
      }),
    );
  });
});
