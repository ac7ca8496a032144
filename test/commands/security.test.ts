/**
 * /security in the test world: miner revenue per day and per year, and its share of the market cap,
 * worked out by hand from the fake's subsidy, fees, price and tip height.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { createMarket } from '../../src/sources/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { AVG_FEES_SATS, PRICE_USD, SUBSIDY_SATS, TIP_HEIGHT, TIP_TIME_SEC } from '../fakes/world.ts';

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
let fake: FakeMempool;
const security = async () => {
  const market = createMarket({ config: loadConfig(fake.env), logger: silentLogger, now: () => NOW });
  return renderText(
    await runCommand(commands, 'security', {}, { market, now: () => NOW, platform: 'cli', version: 'test', services: {} }, silentLogger),
  );
};

// 144 blocks a day × (3.125 + 0.02) BTC = 452.88 BTC a day.
const dailyBtc = 144 * ((SUBSIDY_SATS + AVG_FEES_SATS) / 1e8);
// Coins mined up to and including the tip: 210,000 × (50 + 25 + 12.5 + 6.25) = 19,687,500 BTC in the
// first four eras, plus (890,447 − 840,000 + 1) = 50,448 blocks × 3.125 = 157,650: 19,845,150 BTC.
const supplyBtc = 210_000 * (50 + 25 + 12.5 + 6.25) + (TIP_HEIGHT - 840_000 + 1) * 3.125;

beforeAll(async () => {
  fake = await startFakeMempool();
});
afterAll(async () => {
  await fake.close();
});

describe('/security', () => {
  it('gives the daily and yearly miner revenue at the live price', async () => {
    expect(dailyBtc).toBeCloseTo(452.88, 9);
    // 452.88 × $69,880 = $31,647,254.40 a day; a year is a Julian year (src/core/metrics/security.ts,
    // as the 30.4375-day month of /profit): × 365.25 = $11,559,159,669.60 ($11.55B with 365 days).
    expect(dailyBtc * PRICE_USD).toBeCloseTo(31_647_254.4, 4);
    expect(dailyBtc * PRICE_USD * 365.25).toBeCloseTo(11_559_159_669.6, 2);
    const text = await security();
    expect(text).toContain('Miners earn about $31.65M a day (452.88 BTC), $11.56B a year: 0.83 % of the market cap per year.');
    expect(text).toMatch(/Daily revenue +\$31\.65M\n/);
    expect(text).toMatch(/Yearly revenue +\$11\.56B\n/);
  });

  it('sets the yearly spend against the market cap of the coins mined so far', async () => {
    expect(supplyBtc).toBe(19_845_150);
    // 19,845,150 × $69,880 = $1,386,779,082,000; 11,559,159,669.6 / 1,386,779,082,000 = 0.8335 %.
    expect(supplyBtc * PRICE_USD).toBe(1_386_779_082_000);
    expect(((dailyBtc * PRICE_USD * 365.25) / (supplyBtc * PRICE_USD)) * 100).toBeCloseTo(0.83353, 5);
    const text = await security();
    expect(text).toMatch(/Market cap +\$1\.39T\n/);
    expect(text).toMatch(/Per year, % of market cap +0\.83 %\n/);
  });

  it('says how much of it is fees', async () => {
    // 0.02 / 3.145 = 0.64 %.
    expect((AVG_FEES_SATS / (SUBSIDY_SATS + AVG_FEES_SATS)) * 100).toBeCloseTo(0.6359, 4);
    const text = await security();
    expect(text).toContain('Fees are 0.64 % of it; the rest is the block subsidy, which halves every 210,000 blocks.');
    expect(text).toMatch(/Fee share +0\.64 %\n/);
    expect(text).toContain('Assumes 144 blocks a day at the average fees of the last 144 blocks.');
  });

  it('scales with the price but not its share of the market cap', async () => {
    fake.setPriceUsd(50_000);
    try {
      // 452.88 × $50,000 = $22,644,000 a day; × 365.25 = $8,270,721,000; the share stays 0.83 %.
      expect(dailyBtc * 50_000 * 365.25).toBeCloseTo(8_270_721_000, 2);
      const text = await security();
      expect(text).toContain('Miners earn about $22.64M a day (452.88 BTC), $8.27B a year: 0.83 % of the market cap per year.');
      // 19,845,150 × $50,000 = $992,257,500,000.
      expect(text).toMatch(/Market cap +\$992\.26B\n/);
    } finally {
      fake.setPriceUsd(PRICE_USD);
    }
  });

  it('names the block, its source and how fresh it is', async () => {
    expect(await security()).toMatch(/\nBlock 890,447 · mined 7 min ago\nSource: mempool \(127\.0\.0\.1\) \(fetched just now\)$/);
  });
});
