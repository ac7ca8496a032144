import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/sources/http.ts';
import {
  blocksSchema,
  coinbasePrices,
  coinbaseRatesSchema,
  difficultyAdjustmentSchema,
  feeHistorySchema,
  hashrateSchema,
  mempoolPricesSchema,
  plainNumber,
  poolStats,
  poolsSchema,
  priceHistorySchema,
  recommendedFeesSchema,
  rewardHistorySchema,
  rewardStatsSchema,
} from '../../src/sources/schemas.ts';

const fixture = (path: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));

describe('recorded fixtures parse into normalised units', () => {
  it('v1/blocks 2025-04-01: the tip is the highest block even though the recording is ascending', () => {
    expect(blocksSchema.parse(fixture('mempool/2025-04-01/v1-blocks.json'))).toEqual({
      height: 890447,
      timestampSec: 1743541240,
      difficulty: 113757508810854,
    });
  });

  it('v1/blocks 2024-03-31: float difficulty kept as is', () => {
    const tip = blocksSchema.parse(fixture('mempool/2024-03-31/v1-blocks.json'));
    expect(tip.difficulty).toBe(83126997340024.61);
    expect(tip.height).toBeGreaterThanOrEqual(837043);
  });

  it('v1/prices: every currency kept, time in seconds', () => {
    expect(mempoolPricesSchema.parse(fixture('mempool/2024-03-31/v1-prices.json'))).toEqual({
      timeSec: 1711854906,
      rates: { USD: 69880, EUR: 64823, GBP: 55198, CAD: 95154, CHF: 63041, AUD: 107374, JPY: 10601000 },
    });
  });

  it('v1/difficulty-adjustment: ms stay ms, seconds stay seconds, percents stay percents', () => {
    expect(difficultyAdjustmentSchema.parse(fixture('mempool/2024-03-31/v1-difficulty-adjustment.json'))).toEqual({
      progressPercent: 20.33730158730159,
      difficultyChangePercent: 5.914788959658535,
      estimatedRetargetDate: 1712766704114,
      remainingBlocks: 1606,
      remainingTimeMs: 911596114,
      previousRetargetPercent: -0.9778871328980188,
      previousTimeSec: 1711619463,
      nextRetargetHeight: 838656,
      timeAvgMs: 574743,
    });
  });

  it('v1/fees/recommended', () => {
    expect(recommendedFeesSchema.parse(fixture('mempool/2024-03-31/v1-fees-recommended.json'))).toEqual({
      fastestFee: 8,
      halfHourFee: 8,
      hourFee: 8,
      economyFee: 4,
      minimumFee: 2,
    });
  });

  it('v1/mining/pools/1w: 21 pools (Unknown included) summing to the block count, biggest first', () => {
    const stats = poolStats('1w', poolsSchema.parse(fixture('mempool/2025-04-01/v1-mining-pools-1w.json')));
    expect(stats.blockCount).toBe(1024);
    expect(stats.pools).toHaveLength(21);
    expect(stats.pools.reduce((a, p) => a + p.blockCount, 0)).toBe(1024);
    expect(stats.pools[0]).toEqual({ name: 'Foundry USA', slug: 'foundryusa', blockCount: 323 });
    expect(stats.pools.find((p) => p.slug === 'unknown')?.blockCount).toBe(4);
  });
});

describe('numbers that arrive as strings', () => {
  it('reward-stats sums as strings become sats', () => {
    expect(
      rewardStatsSchema.parse({
        startBlock: 890304,
        endBlock: 890447,
        totalReward: '45288000000',
        totalFee: '288000000',
        totalTx: '520000',
      }),
    ).toEqual({ startBlock: 890304, endBlock: 890447, totalRewardSats: 45288000000, totalFeeSats: 288000000, totalTx: 520000 });
  });

  it('Coinbase rates: strings become numbers, non-currency keys dropped, USD required', () => {
    const body = coinbaseRatesSchema.parse({
      data: { currency: 'BTC', rates: { USD: '69850.5', EUR: '64800.25', USDC: '69850.5', BTC: '1.0', ETH: '38.2', GBP: '0' } },
    });
    expect(coinbasePrices(body, 1_743_541_240_500)).toEqual({ timeSec: 1743541240, rates: { USD: 69850.5, EUR: 64800.25 } });
    expect(coinbaseRatesSchema.safeParse({ data: { currency: 'BTC', rates: { EUR: '1' } } }).success).toBe(false);
  });

  it('plain-text numbers (blockchain.info) accept decimals and exponents, nothing else', () => {
    expect(plainNumber.parse('113757508810854\n')).toBe(113757508810854);
    expect(plainNumber.parse('810000000000.5')).toBe(810000000000.5);
    expect(plainNumber.parse('1.1375750881085E14')).toBe(113757508810850);
    for (const bad of ['', 'abc', '12abc', 'Infinity', '1e400', '-5', '0', '<html>'])
      expect(plainNumber.safeParse(bad).success, bad).toBe(false);
  });

  it('rejects numeric look-alikes in JSON too (null, empty string, NaN text, booleans)', () => {
    for (const totalFee of [null, '', 'NaN', true, '1,000']) {
      expect(
        rewardStatsSchema.safeParse({ startBlock: 1, endBlock: 2, totalReward: '1', totalFee, totalTx: 1 }).success,
        String(totalFee),
      ).toBe(false);
    }
  });
});

describe('series are sorted oldest first whatever order upstream sends', () => {
  it('historical price (mempool sends newest first) and drops no-price days', () => {
    expect(
      priceHistorySchema.parse({
        prices: [
          { time: 300, USD: 3 },
          { time: 200, USD: 0 },
          { time: 100, USD: 1 },
          { time: 50, USD: -1 },
        ],
        exchangeRates: {},
      }),
    ).toEqual([
      { timeSec: 100, usd: 1 },
      { timeSec: 300, usd: 3 },
    ]);
  });

  it('hashrate history: timestamp for hashrates, time for difficulty', () => {
    const h = hashrateSchema.parse({
      hashrates: [
        { timestamp: 20, avgHashrate: 2 },
        { timestamp: 10, avgHashrate: '1' },
      ],
      difficulty: [{ time: 15, height: 2016, difficulty: 5, adjustment: 1.01 }],
      currentHashrate: 2,
      currentDifficulty: 5,
    });
    expect(h.hashrates.map((p) => p.timestampSec)).toEqual([10, 20]);
    expect(h.difficulty).toEqual([{ timeSec: 15, height: 2016, difficulty: 5, adjustment: 1.01 }]);
    // the old docs sample (time in hashrates) is not what the server sends
    expect(
      hashrateSchema.safeParse({ hashrates: [{ time: 1, avgHashrate: 1 }], difficulty: [], currentHashrate: 1, currentDifficulty: 1 })
        .success,
    ).toBe(false);
  });

  it('fee history', () => {
    expect(
      feeHistorySchema
        .parse([
          { avgHeight: 2, timestamp: 20, avgFees: 5, USD: 7 },
          { avgHeight: 1, timestamp: 10, avgFees: 4, USD: 6 },
        ])
        .map((p) => p.avgHeight),
    ).toEqual([1, 2]);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates; ignores garbage', () => {
    const now = Date.parse('2025-04-01T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(['5', '9'], now)).toBe(5000);
    expect(parseRetryAfter('Tue, 01 Apr 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 01 Apr 2025 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('rows, not bodies (issue 9: mempool sends odd rows and placeholders)', () => {
  const notes = () => {
    const list: string[] = [];
    return { list, drop: (n: string) => list.push(n) };
  };

  it('the genesis difficulty row (adjustment 0) keeps its difficulty and gets no adjustment; the rest is kept', () => {
    const { list, drop } = notes();
    const h = hashrateSchema.parse(
      {
        hashrates: [
          { timestamp: 1231006505, avgHashrate: 7158278.8 },
          { timestamp: 1231027200, avgHashrate: 0 },
          { timestamp: 1743465600, avgHashrate: 8.1e20 },
        ],
        difficulty: [
          { time: 1231006505, height: 0, difficulty: 1, adjustment: 0 },
          { time: 1262152739, height: 32256, difficulty: 1.182899534312841, adjustment: 1.182899 },
        ],
        currentHashrate: 8.1e20,
        currentDifficulty: 113757508810854,
      },
      drop,
    );
    expect(h.difficulty).toEqual([
      { timeSec: 1231006505, height: 0, difficulty: 1 },
      { timeSec: 1262152739, height: 32256, difficulty: 1.182899534312841, adjustment: 1.182899 },
    ]);
    // the zero-hashrate day (no block indexed that day) is a placeholder: dropped and reported
    expect(h.hashrates.map((p) => p.timestampSec)).toEqual([1231006505, 1743465600]);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/^hashrates\[1\] dropped/);
  });

  it('current hashrate and difficulty of 0 (mempool cannot reach its node) are unknown, the history is kept', () => {
    const { list, drop } = notes();
    const h = hashrateSchema.parse(
      { hashrates: [{ timestamp: 10, avgHashrate: 1 }], difficulty: [], currentHashrate: 0, currentDifficulty: 0 },
      drop,
    );
    expect(h).toEqual({ hashrates: [{ timestampSec: 10, avgHashrate: 1 }], difficulty: [] });
    expect(list[0]).toMatch(/currentHashrate\/currentDifficulty are 0/);
  });

  it('a non-genesis row with adjustment 0 or a null is dropped, not the body', () => {
    const { list, drop } = notes();
    const h = hashrateSchema.parse(
      {
        hashrates: [
          { timestamp: 10, avgHashrate: null },
          { timestamp: 20, avgHashrate: 2 },
        ],
        difficulty: [
          { time: 15, height: 2016, difficulty: 5, adjustment: 0 },
          { time: 16, height: 4032, difficulty: 6, adjustment: 1.2 },
        ],
        currentHashrate: 2,
        currentDifficulty: 6,
      },
      drop,
    );
    expect(h.hashrates).toEqual([{ timestampSec: 20, avgHashrate: 2 }]);
    expect(h.difficulty).toEqual([{ timeSec: 16, height: 4032, difficulty: 6, adjustment: 1.2 }]);
    expect(list).toHaveLength(2);
  });

  it('mempool prices: -1 currencies dropped; USD -1 / time 0 (feeds down) is no price, named as such', () => {
    const { list, drop } = notes();
    expect(mempoolPricesSchema.parse({ time: 1711854906, USD: 69880, EUR: 64823, AUD: -1 }, drop)).toEqual({
      timeSec: 1711854906,
      rates: { USD: 69880, EUR: 64823 },
    });
    expect(list).toEqual(['AUD dropped (placeholder -1)']);
    expect(mempoolPricesSchema.safeParse({ time: 0, USD: -1, EUR: -1 })).toEqual({
      success: false,
      error: { message: "no price (USD -1, time 0: mempool's price feeds are down)", at: 'USD', placeholder: true },
    });
  });

  it('reward rows with no linked price (USD 0) keep their BTC figures; price rows of 0 are dropped', () => {
    expect(rewardHistorySchema.parse([{ avgHeight: 1, timestamp: 10, avgRewards: 5_000_000_000, USD: 0 }])).toEqual([
      { avgHeight: 1, timestampSec: 10, avgRewardsSats: 5_000_000_000 },
    ]);
    const { list, drop } = notes();
    expect(
      priceHistorySchema.parse(
        {
          prices: [
            { time: 20, USD: 0 },
            { time: 10, USD: 5 },
          ],
        },
        drop,
      ),
    ).toEqual([{ timeSec: 10, usd: 5 }]);
    expect(list).toHaveLength(1);
  });

  it('one bad block row does not hide the tip; a body with no valid row is still refused', () => {
    expect(
      blocksSchema.parse([
        { height: 890447, timestamp: 1743541240, difficulty: 113757508810854 },
        { height: 890446, timestamp: null, difficulty: 1 },
      ]),
    ).toEqual({
      height: 890447,
      timestampSec: 1743541240,
      difficulty: 113757508810854,
    });
    expect(blocksSchema.safeParse([{ height: 'x' }]).success).toBe(false);
  });

  it('a difficulty estimate computed before mempool synced its node (previousTime 0) is refused', () => {
    const recorded = fixture('mempool/2024-03-31/v1-difficulty-adjustment.json') as Record<string, number>;
    const parsed = difficultyAdjustmentSchema.safeParse({ ...recorded, previousTime: 0, previousRetarget: 0 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('previousTime is 0: mempool has not synced its node yet');
  });
});
