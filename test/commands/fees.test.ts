/**
 * /fees in the test world (the fake mempool, seven minutes after the tip): the fee share of miner
 * revenue over the last 144 blocks and the recommended rates, each figure worked out by hand from
 * the fake's data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { createMarket } from '../../src/sources/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { AVG_FEES_SATS, PRICE_USD, SUBSIDY_SATS, TIP_HEIGHT, TIP_TIME_SEC, TOTAL_TX_144 } from '../fakes/world.ts';

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
let fake: FakeMempool;
const fees = async () => {
  const market = createMarket({ config: loadConfig(fake.env), logger: silentLogger, now: () => NOW });
  return renderText(
    await runCommand(commands, 'fees', {}, { market, now: () => NOW, platform: 'cli', version: 'test', services: {} }, silentLogger),
  );
};

beforeAll(async () => {
  fake = await startFakeMempool();
});
afterAll(async () => {
  await fake.close();
});

describe('/fees', () => {
  it('gives the fee share of the last 144 blocks, with the subsidy paying the rest', async () => {
    // 2,000,000 sats / (312,500,000 + 2,000,000) = 0.6359 % of revenue.
    const share = (AVG_FEES_SATS / (SUBSIDY_SATS + AVG_FEES_SATS)) * 100;
    expect(share).toBeCloseTo(0.63593, 5);
    // The 144 blocks up to the tip: 890,447 − 143 = 890,304.
    expect(TIP_HEIGHT - 143).toBe(890_304);
    const text = await fees();
    expect(text).toContain('Fees were 0.64 % of miner revenue over blocks 890,304–890,447; the subsidy (3.125 BTC) paid the rest.');
    expect(text).toMatch(/Last 144 blocks:\n {2}Fee share of revenue +0\.64 %\n/);
  });

  it('shows the average fees per block in BTC and USD, and the transactions', async () => {
    // 0.02 BTC × $69,880 = $1,397.60, shown as $1,398.
    expect((AVG_FEES_SATS / 1e8) * PRICE_USD).toBeCloseTo(1397.6, 9);
    expect(TOTAL_TX_144).toBe(520_000);
    const text = await fees();
    expect(text).toMatch(/Average fees per block +0\.0200 BTC \(\$1,398\)\n/);
    expect(text).toMatch(/Transactions +520,000\n/);
  });

  it('lists the recommended rates in sat/vB as mempool recommends them', async () => {
    // test/fixtures/mempool/2024-03-31/v1-fees-recommended.json: fastest 8, half hour 8, hour 8, economy 4, minimum 2.
    const text = await fees();
    expect(text).toMatch(
      /Recommended rates \(sat\/vB\):\n {2}Next block +8\n {2}30 min +8\n {2}1 hour +8\n {2}Economy +4\n {2}Minimum +2\n/,
    );
  });

  it('follows the fees: 0.1 BTC a block is 3.10 % of 3.225 BTC', async () => {
    fake.setFeesPerBlockSats(10_000_000);
    try {
      // 10,000,000 / 322,500,000 = 3.1008 %; 0.1 BTC × $69,880 = $6,988.
      expect((10_000_000 / (SUBSIDY_SATS + 10_000_000)) * 100).toBeCloseTo(3.1008, 4);
      const text = await fees();
      expect(text).toContain('Fees were 3.10 % of miner revenue');
      expect(text).toMatch(/Average fees per block +0\.1000 BTC \(\$6,988\)\n/);
    } finally {
      fake.setFeesPerBlockSats(AVG_FEES_SATS);
    }
  });

  it('names its source and how fresh it is', async () => {
    expect(await fees()).toMatch(/\nSource: mempool \(127\.0\.0\.1\) \(fetched just now\)$/);
  });
});
