/**
 * /halving against the fake mempool (the test world: block 890,447, difficulty 113.76 T, 0.02 BTC
 * fees a block, $69,880; mempool's epoch mean of 574,743 ms a block over 1,391 blocks), with the same
 * hand-checked figures in the terminal, Telegram and Discord renderings, each within limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { CommandContext } from '../../src/core/command.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { expectOnEverySurface, NOW } from './surfaces.ts';

let fake: FakeMempool;
let market: Market;
const ctx = (): CommandContext => ({ market, now: () => NOW, platform: 'cli', version: 'test', services: {} });
const run = (name: string, raw: Record<string, unknown> = {}) => runCommand(commands, name, raw, ctx(), silentLogger);

beforeAll(async () => {
  fake = await startFakeMempool();
  market = createMarket({ config: loadConfig({ ...fake.env }), logger: silentLogger, now: () => NOW });
});
afterAll(async () => {
  await fake.close();
});

describe('/halving', () => {
  it('projects the next halving from the live tip, block rate, difficulty, fees and price', async () => {
    const reply = await run('halving');
    expect(reply.tone, renderText(reply)).not.toBe('error');
    const d = reply.data!;
    // (floor(890447 / 210000) + 1) × 210000 = 1,050,000; 1,050,000 − 890,447 = 159,553 blocks.
    expect(d.halvingHeight).toBe(1_050_000);
    expect(d.blocksLeft).toBe(159_553);
    // mempool's timeAvg 574,743 ms over 2016 − 625 = 1,391 blocks of this epoch.
    expect(d.blockRate).toEqual({ intervalSec: 574.743, blocks: 1391, basis: 'epoch' });
    // 1743541240 + 159,553 × 574.743 = 1835243209.879 s = 2028-02-27 05:46 UTC.
    expect(d.etaMs).toBeCloseTo(1_835_243_209_879, 0);
    // $38.86398720675945 × (1.5625 + 0.02) / (3.125 + 0.02) = $19.5556/PH/day.
    expect(d.hashpriceAfterUsdPerPhDay).toBeCloseTo((38.86398720675945 * 1.5825) / 3.145, 9);
    // 3.125 + 0.02 − 1.5625 = 1.5825 BTC a block = 79.125 × 0.02; 158,250,000 sats / 1,000,000 vB = 158.25 sat/vB.
    expect(d.feesToKeepHashpriceBtc).toBeCloseTo(1.5825, 12);
    expect(d.minFeeRateSatPerVb).toBeCloseTo(158.25, 9);
    expect(reply.lines![0]).toBe(
      'Block 1,050,000 is 159,553 blocks away: about 2028-02-27 (in ~1,061 days, 2.9 years) at one block every 9.6 min.',
    );
    expect(reply.lines![1]).toBe(
      'The subsidy halves from 3.125 to 1.5625 BTC: hashprice would fall from $38.86 to $19.56/PH/day (−49.7 %).',
    );
    expect(reply.lines![2]).toBe(
      "To keep hashprice where it is, fees would have to average 1.5825 BTC per block (79× today's 0.0200 BTC): at least 158 sat/vB across a full block.",
    );
    expect(reply.lines![3]).toMatch(
      /^Assumes today's price \$69,880, difficulty 113\.76 T and fees 0\.0200 BTC\/block hold; ETA from the mean interval over the last 1,391 blocks/,
    );
    expect(reply.footer).toEqual(['Block 890,447 · mined 7 min ago', 'Source: mempool (127.0.0.1) (fetched just now)']);
    expectOnEverySurface(reply, ['159,553', '2028-02-27', '$19.56/PH/day', '1.5825 BTC', '158 sat/vB', '50.3 %']);
  });

  it('falls back to the 10-minute target, and says so, when the block rate is unavailable', async () => {
    fake.setFault('/api/v1/difficulty-adjustment', { kind: '500' });
    try {
      const fresh = createMarket({ config: loadConfig({ ...fake.env, HTTP_TIMEOUT_MS: '5000' }), logger: silentLogger, now: () => NOW });
      const reply = await runCommand(commands, 'halving', {}, { ...ctx(), market: fresh }, silentLogger);
      expect(reply.tone, renderText(reply)).not.toBe('error');
      // 1743541240 + 159,553 × 600 s = 1839273040 s.
      expect(reply.data!.etaMs).toBe((1_743_541_240 + 159_553 * 600) * 1000);
      expect(reply.data!.blockRate).toBeNull();
      expect(reply.lines!.join('\n')).toMatch(/ETA from the 10-minute target \(the recent rate is unavailable\)/);
      expect(reply.lines!.join('\n')).toMatch(/⚠ Recent block rate unavailable: /);
    } finally {
      fake.clearFaults();
    }
  });

  it('takes what-if price and fees like /hashprice', async () => {
    const reply = await run('halving', { price: '150000', fees: '0.5' });
    expect(reply.title).toBe('Next halving (what-if)');
    // 86400e15 / (D × 2^32) × (1.5625 + 0.5) × 150,000, with today's 38.86398720675945 = that × 3.145 × 69,880.
    expect(reply.data!.hashpriceAfterUsdPerPhDay).toBeCloseTo((38.86398720675945 / (3.145 * 69880)) * 2.0625 * 150000, 9);
    // 3.125 + 0.5 − 1.5625 = 2.0625 BTC = 4.125 × 0.5.
    expect(reply.data!.feesMultiple).toBeCloseTo(4.125, 12);
    expect(reply.lines).toContain('What-if with price, fees set by you; other inputs are live.');
  });
});
