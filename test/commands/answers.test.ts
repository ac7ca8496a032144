/**
 * Wrong or absurd answers a new user met (issue 9 §2) and figures with an input missing (issue 10
 * item 2), against the fake mempool over a real socket and the real market client.
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
import { DIFFICULTY, EXPECTED, TIP_HEIGHT, TIP_TIME_SEC } from '../fakes/world.ts';

let fake: FakeMempool;
// Seven minutes after the tip block (2025-04-01 21:00:40 UTC): the same UTC day as the tip.
const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
const fresh = (): Market =>
  createMarket({
    config: loadConfig({ ...fake.env, HTTP_TIMEOUT_MS: '5000' }),
    logger: silentLogger,
    now: () => NOW,
    sleep: async () => {},
  });
const ctx = (m: Market): CommandContext => ({ market: m, now: () => NOW, platform: 'cli', version: 'test', services: {} });
const run = (name: string, raw: Record<string, unknown> = {}, m: Market = fresh()) => runCommand(commands, name, raw, ctx(m), silentLogger);

beforeAll(async () => {
  fake = await startFakeMempool();
});
afterAll(async () => {
  await fake.close();
});

describe('/hashprice what-ifs', () => {
  it('reads a bare difficulty below a million as T, and says so', async () => {
    const reply = await run('hashprice', { difficulty: '120' });
    expect(reply.tone).not.toBe('error');
    // The live figure scaled by D_live / 120e12: 38.86398720675945 × 113757508810854 / 120e12 = $36.84.
    expect(reply.data?.usdPerPhDay).toBeCloseTo((EXPECTED.hashpriceUsdPerPhDay * DIFFICULTY) / 120e12, 9);
    expect(reply.lines).toContain('Difficulty 120 read as 120 T.');
    expect(renderText(reply)).toContain('difficulty 120.00 T');
    expect(renderText(reply)).not.toContain('527,221,709');
  });

  it('refuses a what-if no network could produce, without printing the figure', async () => {
    // 5,000,000 is past the bare-T rule: 86400e15 / (5e6 × 2^32) = 4,023 blocks a day for 1 PH/s, above 144.
    const reply = await run('hashprice', { difficulty: '5000000' });
    expect(reply.tone).toBe('error');
    expect(reply.title).toBe('/hashprice: impossible what-if');
    expect(reply.lines?.[0]).toMatch(
      /1 PH\/s would find 4,023 blocks a day, more than the 144 the whole network finds\. The difficulty must be at least 139,698,387/,
    );
    expect(reply.data).toBeUndefined();
  });

  it('gives a what-if height no mined time, and says it is a what-if', async () => {
    const reply = await run('hashprice', { height: '1050000' });
    const text = renderText(reply);
    expect(text).not.toMatch(/mined .* ago/);
    expect(reply.lines).toContain('Block 1,050,000 is a what-if height (subsidy 1.5625 BTC), not a mined block.');
    expect(reply.lines?.[0]).toBe('What-if with height set by you; other inputs are live.');
    // The subsidy halves: 86400e15 / (D × 2^32) × (1.5625 + 0.02) × 69,880.
    expect(reply.data?.usdPerPhDay).toBeCloseTo((EXPECTED.hashpriceUsdPerPhDay * 1.5825) / 3.145, 9);
  });

  it('says nothing is live when every input is given', async () => {
    const reply = await run('hashprice', { price: '69880', difficulty: '113.757508810854T', fees: '0.02', height: String(TIP_HEIGHT) });
    expect(reply.lines?.[0]).toBe('What-if with every input set by you: nothing is live.');
    expect(renderText(reply)).not.toMatch(/other inputs are live/);
    expect(reply.data?.usdPerPhDay).toBeCloseTo(EXPECTED.hashpriceUsdPerPhDay, 9);
  });
});

describe('/hashprice "lowest since"', () => {
  it('leaves out today’s partial history point, which ties with the live value', async () => {
    fake.setPriceUsd(50_000);
    try {
      const base = fresh();
      // A bucket from earlier today with the live rewards and price: its hashprice equals the live one.
      const market: Market = {
        ...base,
        rewardHistory: async (period) => {
          const h = await base.rewardHistory(period);
          const today = {
            avgHeight: TIP_HEIGHT - 30,
            timestampSec: TIP_TIME_SEC - 6 * 3600,
            avgRewardsSats: 312_500_000 + 2_000_000,
            usd: 50_000,
          };
          return { ...h, value: [...h.value.filter((p) => p.timestampSec < TIP_TIME_SEC - 12 * 3600), today] };
        },
      };
      const reply = await run('hashprice', {}, market);
      expect(reply.lines?.[0]).toMatch(/^Lowest hashprice on record in the data we have \(since \d{4}-\d{2}-\d{2}\)\.$/);
      expect(renderText(reply)).not.toContain('Lowest hashprice since 2025-04-01');
    } finally {
      fake.setPriceUsd(69_880);
    }
  });
});

describe('without a USD price (mempool and the fallback both failing)', () => {
  const noPrice = async <T>(work: () => Promise<T>): Promise<T> => {
    fake.setFault('/api/v1/prices', { kind: '500' });
    fake.setFault('/coinbase', { kind: '500' });
    try {
      return await work();
    } finally {
      fake.clearFaults();
    }
  };

  it('/hashprice shows the BTC and sats figures and marks USD unavailable', async () => {
    const reply = await noPrice(() => run('hashprice'));
    expect(reply.tone).not.toBe('error');
    expect(reply.data?.btcPerPhDay).toBeCloseTo(EXPECTED.hashpriceBtcPerPhDay, 14);
    expect(reply.data?.usdPerPhDay).toBeNull();
    const text = renderText(reply);
    expect(text).toMatch(/USD per PH\/day\s+unavailable \(no USD price\)/);
    expect(text).toMatch(/sats per TH\/day\s+56 sats/);
    expect(text).toMatch(/USD price unavailable \(.*\); the BTC figures do not need it\./);
  });

  it('/fees shows the fee share and rates, and the USD amount as unavailable', async () => {
    const reply = await noPrice(() => run('fees'));
    expect(reply.tone).not.toBe('error');
    expect(reply.data?.feeSharePercent).toBeCloseTo(EXPECTED.feeSharePercent, 9);
    expect(renderText(reply)).toMatch(/Average fees per block\s+0\.0200 BTC \(USD unavailable\)/);
    expect(renderText(reply)).toMatch(/Next block\s+\d+/);
  });

  it('/security shows the budget in BTC and the fee share', async () => {
    const reply = await noPrice(() => run('security'));
    expect(reply.tone).not.toBe('error');
    // 144 × (3.125 + 0.02) = 452.88 BTC a day.
    expect(reply.data?.dailyRevenueBtc).toBeCloseTo(452.88, 9);
    expect(renderText(reply)).toMatch(/Daily revenue\s+452\.88 BTC/);
    expect(renderText(reply)).toMatch(/Market cap\s+unavailable \(no USD price\)/);
    expect(renderText(reply)).toMatch(/Fee share\s+0\.64 %/);
  });

  it('/digest goes out with the rest and names what is missing', async () => {
    const reply = await noPrice(() => run('digest'));
    expect(reply.tone).not.toBe('error');
    expect(reply.lines?.join('\n')).toMatch(/Missing from this digest: USD price unavailable/);
    expect(renderText(reply)).toMatch(/Hashprice\s+0\.00055615 BTC\/PH\/day; USD unavailable/);
    expect(renderText(reply)).toMatch(/Nakamoto coefficient\s+3/);
  });
});

describe('/digest with one input failing', () => {
  it('posts what is available and says which part is missing', async () => {
    fake.setFault('/api/v1/mining/pools', { kind: '500' });
    try {
      const reply = await run('digest');
      expect(reply.tone).not.toBe('error');
      expect(reply.lines?.join('\n')).toMatch(/⚠ Missing from this digest: pool stats \(/);
      const text = renderText(reply);
      expect(text).toMatch(/Hashprice\s+\$38\.86\/PH\/day \(1d/);
      expect(text).not.toMatch(/Top pool/);
    } finally {
      fake.clearFaults();
    }
  });
});

describe('degraded figures (fees missing)', () => {
  it('/hashprice marks them, shows no comparisons, and --json carries the flag', async () => {
    fake.setFault('/api/v1/mining/reward-stats', { kind: '500' });
    try {
      const reply = await run('hashprice');
      // Subsidy only: 38.86398720675945 × 3.125 / 3.145 = $38.62.
      expect(reply.data?.usdPerPhDay).toBeCloseTo((EXPECTED.hashpriceUsdPerPhDay * 3.125) / 3.145, 9);
      expect(reply.data?.degraded).toBe(true);
      expect((reply.data?.missingInputs as { fees?: string } | undefined)?.fees).toMatch(/^fees of the last 144 blocks unavailable/);
      const text = renderText(reply);
      expect(text).toMatch(/USD per PH\/day\s+\$38\.62 \(subsidy only\)/);
      expect(text).not.toMatch(/Change \(USD\)|Lowest hashprice|30-day low/);
      const digest = await run('digest');
      expect(renderText(digest)).toMatch(/Hashprice\s+\$38\.62\/PH\/day \(subsidy only: fees missing\)/);
      expect(renderText(digest)).toMatch(/Fee share\s+unavailable \(fees missing\)/);
      expect(digest.lines?.join('\n')).not.toMatch(/lowest|Fees are/);
    } finally {
      fake.clearFaults();
    }
  });
});

describe('/difficulty right after a retarget', () => {
  const justRetargeted = (blocksIn: number): Market => {
    const base = fresh();
    return {
      ...base,
      difficultyAdjustment: async () => {
        const a = await base.difficultyAdjustment();
        return {
          ...a,
          value: { ...a.value, remainingBlocks: 2016 - blocksIn, progressPercent: (blocksIn / 2016) * 100, difficultyChangePercent: 5.35 },
        };
      },
    };
  };

  it('says it is too early to estimate below 72 blocks, in /difficulty and the digest', async () => {
    const reply = await run('difficulty', {}, justRetargeted(1));
    expect(reply.lines?.[0]).toMatch(
      /its size is too early to estimate: 1 block into the epoch \(an estimate needs 72, about half a day\)\.$/,
    );
    expect(renderText(reply)).toMatch(/Estimated change\s+too early/);
    expect(renderText(reply)).not.toContain('5.35');
    expect(reply.data?.estimatedChangePercent).toBeNull();
    const digest = await run('digest', {}, justRetargeted(1));
    expect(renderText(digest)).toMatch(/Next difficulty\s+too early to estimate/);
    expect(renderText(digest)).not.toContain('+5.35 %');
  });

  it('estimates from 72 blocks on', async () => {
    const reply = await run('difficulty', {}, justRetargeted(72));
    expect(reply.lines?.[0]).toMatch(/^Estimated \+5\.35 % at block/);
  });
});
