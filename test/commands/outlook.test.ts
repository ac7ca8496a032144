/**
 * The forward-looking figures wired into existing commands (/hashprice after the next adjustment,
 * /security at the coming halvings, the digest's fleet line, /pools against 30 days earlier) against
 * the fake mempool: block 890,447, difficulty 113.76 T, 0.02 BTC fees a block, $69,880, hashprice
 * $38.86398720675945/PH/day; mempool's recorded estimate of +5.914788959658535 % with 625 blocks
 * (625 × 574,743 ms) to the retarget at 891,072. Each figure is asserted on the terminal, Telegram
 * and Discord renderings, each within its limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { CommandContext } from '../../src/core/command.ts';
import type { Reply } from '../../src/core/reply.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { EMBED_LIMITS, escapeDiscord, renderDiscord } from '../../src/adapters/discord/format.ts';
import { renderTelegram, splitHtml, TEXT_LIMIT } from '../../src/adapters/telegram/format.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { parseTelegramHtml } from '../fakes/telegram.ts';

let fake: FakeMempool;
let market: Market;
const NOW = (1743541240 + 7 * 60) * 1000;
const ctx = (): CommandContext => ({ market, now: () => NOW, platform: 'cli', version: 'test', services: {} });
const run = (name: string, raw: Record<string, unknown> = {}) => runCommand(commands, name, raw, ctx(), silentLogger);

beforeAll(async () => {
  fake = await startFakeMempool();
  market = createMarket({ config: loadConfig({ ...fake.env }), logger: silentLogger, now: () => NOW });
});
afterAll(async () => {
  await fake.close();
});

/** Every rendering carries each figure, Telegram fits one message and Discord needs no truncation. */
function expectOnEverySurface(reply: Reply, figures: string[]): void {
  const text = renderText(reply);
  const { html } = renderTelegram(reply);
  const telegram = parseTelegramHtml(html);
  const discord = renderDiscord(reply, NOW);
  const embed = discord.embeds[0]!;
  const discordText = [embed.title, embed.description, ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]), embed.footer?.text].join(
    '\n',
  );
  for (const figure of figures) {
    expect(text).toContain(figure);
    expect(telegram).toContain(figure);
    expect(discordText).toContain(escapeDiscord(figure));
  }
  expect(html.length).toBeLessThanOrEqual(TEXT_LIMIT);
  expect(splitHtml(html)).toHaveLength(1);
  expect(embed.description).toBe((reply.lines ?? []).map(escapeDiscord).join('\n'));
  const fields = embed.fields ?? [];
  expect(fields).toHaveLength(reply.sections.reduce((n, s) => n + s.fields.length + (s.title ? 1 : 0), 0));
  expect(fields.length).toBeLessThanOrEqual(EMBED_LIMITS.fields);
  const total =
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  expect(total).toBeLessThanOrEqual(EMBED_LIMITS.total);
}

describe('/hashprice after the next adjustment', () => {
  it('shows the estimate at today’s price and fees, with its assumptions and source', async () => {
    const reply = await run('hashprice');
    const f = reply.data!.forward as Record<string, number>;
    // Difficulty × 1.05914788959658535; hashprice scales with 1 / difficulty (subsidy 3.125 both sides of
    // 891,072): $38.86398720675945 / 1.05914788959658535 = $36.6936360715048.
    expect(f.usdPerPhDay).toBeCloseTo(36.6936360715048, 9);
    expect(f.difficultyAfter).toBeCloseTo(113757508810854 * 1.0591478895965853, 0);
    expect(f.retargetHeight).toBe(891_072);
    // ETA: tip + 625 × 574,743 ms = 359,214,375 ms; now is 420,000 ms after the tip → 358,794,375 ms = 4.15 days.
    const line = reply.lines!.find((l) => l.startsWith('After the adjustment'));
    expect(line).toBe('After the adjustment in ~4.2 days, est. +5.9 %: $36.69/PH/day');
    expectOnEverySurface(reply, [line!, "Estimate: today's price and fees", 'Source: mempool (127.0.0.1)']);
  });

  it('carries a what-if price through, and leaves the estimate out for a what-if difficulty or height', async () => {
    // $36.6936360715048 × 60,000 / 69,880 = $31.5057.
    const priced = await run('hashprice', { price: '60000' });
    expect((priced.data!.forward as Record<string, number>).usdPerPhDay).toBeCloseTo((36.6936360715048 * 60000) / 69880, 9);
    expect(renderText(priced)).toContain('est. +5.9 %: $31.51/PH/day');
    for (const raw of [{ difficulty: '120T' }, { height: '1050000' }]) {
      const reply = await run('hashprice', raw);
      expect(reply.data!.forward).toBeUndefined();
      expect(renderText(reply)).not.toContain('After the adjustment');
    }
  });

  it('answers without the estimate when the difficulty adjustment fails, saying so', async () => {
    fake.setFault('/api/v1/difficulty-adjustment', { kind: '500' });
    try {
      const fresh = createMarket({ config: loadConfig({ ...fake.env }), logger: silentLogger, now: () => NOW });
      const reply = await runCommand(commands, 'hashprice', {}, { ...ctx(), market: fresh }, silentLogger);
      expect(reply.tone).not.toBe('error');
      expect(reply.data!.usdPerPhDay).toBeCloseTo(38.86398720675945, 9);
      expect(reply.data!.forward).toBeUndefined();
      expect(renderText(reply)).toMatch(/⚠ Next difficulty adjustment unavailable/);
    } finally {
      fake.clearFaults();
    }
  });
});

describe('digest: models under water at the reference power price', () => {
  it('counts the models whose power costs more than they earn', async () => {
    // At $38.864/PH/day a TH/s earns $0.038864 a day and uses E × 24 / 1000 kWh: under water when
    // E × 0.024 × 0.06 > 0.038864, i.e. E > 26.99 J/TH → S19j Pro and S19 Pro (29.5), M30S++ (31), S19 (34.2): 4 of 17.
    const reply = await run('digest');
    expect(reply.data!.underWater).toEqual({ models: 4, of: 17, powerUsdPerKwh: 0.06 });
    expectOnEverySurface(reply, ['Models under water', '4 of 17 at $0.06/kWh']);
  });

  it('uses the operator’s reference power price', async () => {
    // At $0.10: E > 0.038864 / 0.0024 = 16.19 J/TH → all but the S21 XP Hyd (12), S21 XP (13.5) and S21 Pro (15): 14 of 17.
    const reply = await runCommand(
      commands,
      'digest',
      {},
      { ...ctx(), services: { benchmarks: { aiLeaseUsdPerMwYear: 1_800_000, referencePowerUsdPerKwh: 0.1 } } },
      silentLogger,
    );
    expect(renderText(reply)).toContain('14 of 17 at $0.1/kWh');
  });
});

describe('/security at the coming halvings, and the revenue chart it offers', () => {
  it('shows the budget after each of the next two halvings and the fee share that keeps today’s', async () => {
    const reply = await run('security');
    const [first, second] = reply.data!.halvings as Record<string, number>[];
    // Today: 3.125 + 0.02 = 3.145 BTC a block. At 1,050,000 (1.5625 BTC): 144 × 1.5825 × 365.25 = 83,233.17 BTC a year
    // against a supply of 210,000 × 96.875 + 1.5625 = 20,343,751.5625 BTC → 0.40913 %; fees to keep 3.145 − 1.5625 = 1.5825 → 50.32 %.
    expect(first!.halvingHeight).toBe(1_050_000);
    expect(first!.percentOfMarketCapPerYear).toBeCloseTo((144 * 1.5825 * 365.25 * 100) / 20_343_751.5625, 9);
    expect(first!.feeShareToKeepBudget).toBeCloseTo(1.5825 / 3.145, 12);
    // At 1,260,000 (0.78125 BTC): 144 × 0.80125 × 365.25 = 42,142.545 BTC a year over 20,671,875.78125 → 0.20386 %;
    // fees to keep 3.145 − 0.78125 = 2.36375 → 75.16 %.
    expect(second!.percentOfMarketCapPerYear).toBeCloseTo((144 * 0.80125 * 365.25 * 100) / 20_671_875.78125, 9);
    expect(second!.feeShareToKeepBudget).toBeCloseTo(2.36375 / 3.145, 12);
    expectOnEverySurface(reply, [
      "After the halving at block 1,050,000 (1.5625 BTC): 0.41 % of the market cap a year; keeping today's budget takes fees of 50.3 % of revenue.",
      "After the halving at block 1,260,000 (0.78125 BTC): 0.20 % of the market cap a year; keeping today's budget takes fees of 75.2 % of revenue.",
      "Assumes today's price and fees per block",
      'Source: mempool (127.0.0.1)',
    ]);
    expect(reply.buttons?.map((b) => [b.command, b.args.metric, b.args.range])).toEqual([
      ['chart', 'revenue', '30d'],
      ['chart', 'revenue', '90d'],
      ['chart', 'revenue', '1y'],
    ]);
  });

  it('leaves the halving lines out when the fees are missing (the budget would read low)', async () => {
    fake.setFault('/api/v1/mining/reward-stats', { kind: '500' });
    try {
      const fresh = createMarket({ config: loadConfig({ ...fake.env }), logger: silentLogger, now: () => NOW });
      const reply = await runCommand(commands, 'security', {}, { ...ctx(), market: fresh }, silentLogger);
      expect(reply.data!.halvings).toEqual([]);
      expect(renderText(reply)).not.toContain('After the halving');
    } finally {
      fake.clearFaults();
    }
  });

  it('/chart revenue splits daily miner revenue into subsidy and fees', async () => {
    const reply = await run('chart', { metric: 'revenue', range: '30d' });
    expect(reply.tone, renderText(reply)).not.toBe('error');
    const latest = reply.data!.latest as Record<string, number>;
    // Tip day: 312,500,000 sats subsidy and 2,000,000 sats fees a block at $69,880:
    // 3.125 × 144 × 69,880 = $31,446,000 subsidy; 0.02 × 144 × 69,880 = $201,254.40 fees; 0.02 / 3.145 = 0.636 %.
    expect(latest.subsidyUsd).toBeCloseTo(31_446_000, 4);
    expect(latest.feesUsd).toBeCloseTo(201_254.4, 6);
    expect(latest.feeSharePercent).toBeCloseTo((0.02 / 3.145) * 100, 9);
    // 30 daily points: the fake serves days 0..30 before the tip, and the range opens 30 days before now
    // (7 min after the tip), which is after day 30's bucket.
    expect(reply.data!.points).toBe(30);
    expect(reply.chart!.filename).toBe('hashwatch-revenue-30d.png');
    expectOnEverySurface(reply, [
      'Latest $31.65M a day (2025-04-01): subsidy $31.45M, fees $201,254 (0.64 %)',
      'Source: mempool (127.0.0.1)',
    ]);
  });
});

describe('/profit with only a power price: every model, most efficient first', () => {
  it('lists the 17 models with margin, power cost and breakeven, and counts those under water', async () => {
    const reply = await run('profit', { power: '0.06' });
    expect(reply.tone, renderText(reply)).not.toBe('error');
    const rows = reply.data!.rows as {
      id: string;
      efficiencyJPerTh: number;
      marginPerThDay: number;
      powerCostPerThDay: number;
      breakevenPowerUsdPerKwh: number;
    }[];
    expect(rows).toHaveLength(17);
    expect(rows.map((r) => r.efficiencyJPerTh)).toEqual([...rows.map((r) => r.efficiencyJPerTh)].sort((a, b) => a - b));
    // Revenue $38.86398720675945 / 1000 = $0.038864 per TH/s per day. S21 XP Hyd: power 12 × 24 / 1000 × 0.06 = $0.01728,
    // margin $0.021584; breaks even at 0.038864 / 0.288 = $0.13494/kWh.
    expect(rows[0]!.id).toBe('s21xphyd');
    expect(rows[0]!.powerCostPerThDay).toBeCloseTo(0.01728, 12);
    expect(rows[0]!.marginPerThDay).toBeCloseTo(0.03886398720675945 - 0.01728, 12);
    expect(rows[0]!.breakevenPowerUsdPerKwh).toBeCloseTo(0.03886398720675945 / 0.288, 12);
    // Under water above 0.038864 / (0.024 × 0.06) = 26.99 J/TH: S19j Pro, S19 Pro (29.5), M30S++ (31), S19 (34.2).
    expect(reply.data!.underWater).toBe(4);
    expect(rows.filter((r) => r.marginPerThDay < 0).map((r) => r.id)).toEqual(['s19jpro', 's19pro', 'm30s++', 's19']);
    expectOnEverySurface(reply, [
      'At $0.06/kWh, 4 of 17 models lose money; the most efficient (Antminer S21 XP Hyd, 12 J/TH) breaks even up to $0.135/kWh.',
      'Antminer S21 XP Hyd · 12 J/TH',
      '$0.0216/TH/day (power $0.0173) · breaks even ≤ $0.135/kWh',
      // S19: 34.2 × 0.024 × 0.06 = $0.049248; 0.038864 − 0.049248 = −$0.0104; 0.038864 / 0.8208 = $0.0473 → $0.047.
      '⚠ −$0.0104/TH/day (power $0.0492) · breaks even ≤ $0.047/kWh',
      'Source: mempool (127.0.0.1)',
    ]);
  });

  it('"all" uses the reference power price, saying so; a model or an efficiency still answers for one machine', async () => {
    const all = await run('profit', { model: 'all' });
    expect(all.data!.powerFrom).toBe('reference');
    expect(renderText(all)).toContain('Power price: the reference $0.06/kWh');
    // At $0.10: under water above 0.038864 / 0.0024 = 16.19 J/TH → 14 of 17.
    const dear = await run('profit', { model: 'all', power: '0.1' });
    expect(dear.data!.underWater).toBe(14);
    expect(dear.title).toBe('Every model at $0.1/kWh');
    const one = await run('profit', { efficiency: '25', power: '0.06' });
    expect(one.title).toBe('Mining profit');
    expect(one.data!.rows).toBeUndefined();
  });
});

describe('pool concentration over time', () => {
  it('/pools says whether concentration rose against 30 days earlier, in weekly shares', async () => {
    const reply = await run('pools');
    const trend = reply.data!.trend as {
      trend: string;
      then: { t: number; top1: { share: number }; nakamoto: number };
      now: { t: number; top1: { share: number }; nakamoto: number };
    };
    // Latest week (to 2025-03-31): Foundry USA 323 of 1,024 blocks = 31.54 %; 323 + 171 + 166 = 660 > 512 → Nakamoto 3.
    // Nearest to 30 days earlier: the week to 2025-03-03 (28 days), Foundry 323 − 4 × 4 = 307 → 29.98 %; ViaBTC 182,
    // 307 + 182 = 489 ≤ 512, + 171 → 3. Same coefficient, top share +1.56 points → rose.
    expect(trend.trend).toBe('rose');
    expect(trend.now.top1.share).toBeCloseTo(323 / 1024, 12);
    expect(trend.then.top1.share).toBeCloseTo(307 / 1024, 12);
    expect([trend.then.nakamoto, trend.now.nakamoto]).toEqual([3, 3]);
    expectOnEverySurface(reply, [
      'Against 30 days earlier, concentration rose: largest pool Foundry USA 30.0 % (week to 2025-03-03) → Foundry USA 31.5 % (week to 2025-03-31); Nakamoto coefficient 3 → 3 (weekly shares).',
      'Source: mempool (127.0.0.1)',
    ]);
  });

  it('/chart pools 1y draws the weekly shares and the Nakamoto coefficient over the range', async () => {
    const reply = await run('chart', { metric: 'pools', range: '1y' });
    expect(reply.tone, renderText(reply)).not.toBe('error');
    // Range opens 2024-04-01 21:07: first Monday 2024-04-08, 51 weeks before 2025-03-31 → 52 weeks.
    expect(reply.data!.weeks).toBe(52);
    expect(reply.data!.pools).toEqual(['Foundry USA', 'AntPool', 'ViaBTC', 'F2Pool', 'MARA Pool']);
    // 51 weeks back: ViaBTC 166 + 204 = 370 (36.13 %), Foundry 323 − 204 = 119; 370 + AntPool 171 = 541 > 512 → 2.
    expect(reply.data!.first).toMatchObject({ top1: { name: 'ViaBTC', share: 370 / 1024 }, nakamoto: 2 });
    expect(reply.data!.last).toMatchObject({ top1: { name: 'Foundry USA', share: 323 / 1024 }, nakamoto: 3 });
    expectOnEverySurface(reply, [
      'Largest pool ViaBTC 36.1 % (week to 2024-04-08) → Foundry USA 31.5 % (week to 2025-03-31) · Nakamoto coefficient 2 → 3',
      'Source: mempool (127.0.0.1)',
    ]);
  });

  it('falls back to the shares of the whole range when the weekly index fails, saying so', async () => {
    fake.setFault('/api/v1/mining/hashrate/pools', { kind: '500' });
    try {
      const fresh = createMarket({ config: loadConfig({ ...fake.env }), logger: silentLogger, now: () => NOW });
      const reply = await runCommand(commands, 'chart', { metric: 'pools', range: '90d' }, { ...ctx(), market: fresh }, silentLogger);
      expect(reply.title).toBe('Mining pools · last 90 days');
      expect(renderText(reply)).toContain('⚠ Weekly pool history unavailable');
      const pools = await runCommand(commands, 'pools', {}, { ...ctx(), market: fresh }, silentLogger);
      expect(pools.tone).not.toBe('error');
      expect(pools.data!.trend).toBeNull();
      expect(renderText(pools)).toContain('⚠ Weekly pool history unavailable');
    } finally {
      fake.clearFaults();
    }
  });
});
