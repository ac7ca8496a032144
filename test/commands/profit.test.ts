/** /profit as people use it: model names in words, every model listed, nameplate per-machine figures. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { handleConsoleLine } from '../../src/adapters/console/index.ts';
import { ASIC_MODELS } from '../../src/core/metrics/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';

let fake: FakeMempool;
let market: Market;
// Seven minutes after the fixture's tip block, as in hashprice.test.ts.
const NOW = (1743541240 + 7 * 60) * 1000;
// Hashprice of the fake world: see hashprice.test.ts (D = 113757508810854, 3.145 BTC per block, $69,880).
const HASHPRICE = 38.86398720675945;

const typed = async (line: string) => {
  let reply: any;
  const text = await handleConsoleLine(line, {
    commands: commands.map((c) => ({ ...c, run: async (ctx: any, args: any) => (reply = await c.run(ctx, args)) })) as any,
    logger: silentLogger,
    makeContext: () => ({ market, now: () => NOW, platform: 'console', version: 'test', services: {} }),
  });
  return { text: text ?? '', reply };
};

beforeAll(async () => {
  fake = await startFakeMempool();
  market = createMarket({ config: loadConfig({ ...fake.env }), logger: silentLogger, now: () => NOW });
});
afterAll(async () => {
  await fake.close();
});

describe('/profit <model>', () => {
  it('accepts the names people type', async () => {
    for (const [line, name] of [
      ['/profit antminer s19j pro', 'Antminer S19j Pro'],
      ['/profit s21 xp', 'Antminer S21 XP'],
      ['/profit whatsminer m60s', 'Whatsminer M60S'],
    ]) {
      const { text } = await typed(line!);
      expect(text, line).toMatch(new RegExp(`^Mining profit\\n─+\\n${name} \\(`));
    }
  });

  it('gives per-machine figures from the nameplate hashrate and power, without hashrate=', async () => {
    const { reply, text } = await typed('/profit s19jpro 0.06');
    // S19j Pro nameplate 104 TH/s, 3,068 W at $0.06/kWh:
    // revenue 38.86398720675945 / 1000 × 104 = $4.041854669502983/day;
    // power 3,068 W × 24 h = 73.632 kWh × $0.06 = $4.41792/day; margin −$0.3760653305/day;
    // × 30.4375 days = −$11.446488497/month.
    expect(reply.data.perMachine.revenuePerDay).toBeCloseTo((HASHPRICE / 1000) * 104, 12);
    expect(reply.data.perMachine.revenuePerDay).toBeCloseTo(4.041854669502983, 12);
    expect(reply.data.perMachine.powerCostPerDay).toBeCloseTo(4.41792, 12);
    expect(reply.data.perMachine.marginPerDay).toBeCloseTo(-0.37606533049701785, 12);
    expect(reply.data.perMachine.marginPerMonth).toBeCloseTo(-11.446488497002981, 9);
    expect(text).toContain('Per machine (104 TH/s, 3,068 W):');
    expect(text).toMatch(/Revenue \/day\s+\$4\.04/);
    expect(text).toMatch(/Power cost \/day\s+\$4\.42/);
  });

  it('says the explicit efficiency wins and that it replaced the nameplate', async () => {
    const { reply, text } = await typed('/profit s21 efficiency=25');
    expect(reply.data.efficiencyJPerTh).toBe(25);
    expect(reply.data.efficiencyFrom).toBe('you');
    expect(reply.data.model).toBe('s21');
    expect(text).toContain('Antminer S21 with your 25 J/TH (replacing its nameplate 17.5 J/TH)');
    // 200 TH/s nameplate at 25 J/TH draws 5,000 W: 5 kW × 24 h × $0.06 = $7.20/day;
    // revenue 0.03886398720675945 × 200 = $7.772797441351889; margin $0.5727974413518897.
    expect(reply.data.perMachine.powerCostPerDay).toBeCloseTo(7.2, 12);
    expect(reply.data.perMachine.marginPerDay).toBeCloseTo(0.5727974413518897, 12);
    expect(text).toContain('Per machine (200 TH/s, 5,000 W):');
  });

  it('suggests the closest model on a miss and lists every model', async () => {
    const { text } = await typed('/profit s21 xpp');
    expect(text).toContain('No model "s21 xpp" — did you mean s21xp (Antminer S21 XP)?');
    expect(text).not.toContain('…');
    for (const m of ASIC_MODELS) expect(text).toContain(`${m.id} (${m.name})`);
  });

  it('lists every model with its nameplate when asked which', async () => {
    const { reply, text } = await typed('/profit');
    expect(reply.tone).not.toBe('error');
    expect(reply.data.models).toHaveLength(ASIC_MODELS.length);
    for (const m of ASIC_MODELS) expect(text).toContain(`${m.name} (${m.id})`);
    expect(text).toContain('104 TH/s · 3,068 W · 29.5 J/TH');
  });
});
