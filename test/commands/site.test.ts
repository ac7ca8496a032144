/**
 * /site against the fake mempool (the test world: block 890,447, difficulty 113.76 T, 0.02 BTC fees a
 * block, $69,880), with the same hand-checked figures in the terminal, Telegram and Discord
 * renderings, each within limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { CommandContext } from '../../src/core/command.ts';
import { benchmarksFrom } from '../../src/core/metrics/benchmarks.ts';
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

describe('/site', () => {
  it('compares 1 MW of S21s at the reference power price with the benchmark AI lease by default', async () => {
    const reply = await run('site');
    expect(reply.tone, renderText(reply)).not.toBe('error');
    const d = reply.data!;
    expect(d).toMatchObject({ mw: 1, powerUsdPerKwh: 0.06, efficiencyJPerTh: 17.5, model: 's21', leaseUsdPerMwYear: 1_800_000 });
    const m = d.perMwMonth as Record<string, number>;
    // 1e6 / 17.5 = 57,142.857 TH/s × $0.03886398720675945 × 30.4375 days = $67,595.58 revenue;
    // 1,000 kW × 24 h × $0.06 × 30.4375 = $43,830 power; margin $23,765.58; lease 1.8M / 12 = $150,000.
    expect(m.miningRevenue).toBeCloseTo((1e6 / 17.5) * 0.03886398720675945 * 30.4375, 6);
    expect(m.powerCost).toBeCloseTo(43_830, 6);
    expect(m.miningMargin).toBeCloseTo(23_765.5777, 3);
    expect(m.lease).toBe(150_000);
    // (150,000 + 43,830) × 17.5 / (1000 × 30.4375) = $111.44/PH/day.
    expect(d.hashpriceToMatchLease).toBeCloseTo((193_830 * 17.5) / 30_437.5, 9);
    expect(reply.lines![0]).toBe(
      'Per MW a month, mining with Antminer S21 (17.5 J/TH) at $0.06/kWh nets $23,766 after power; leasing the power to AI/HPC tenants at $1.8M per MW per year grosses $150,000.',
    );
    expect(reply.lines![1]).toBe('Mining would match the lease at a hashprice of $111.44/PH/day (now $38.86).');
    expect(reply.lines!.join('\n')).toMatch(/median of four disclosed miner-to-AI leases/);
    expect(reply.lines!.join('\n')).toMatch(/^Left out: .*PUE/m);
    expect(reply.footer).toEqual(['Block 890,447 · mined 7 min ago', 'Source: mempool (127.0.0.1) (fetched just now)']);
    expectOnEverySurface(reply, ['$67,596', '$43,830', '$23,766', '$150,000', '$111.44/PH/day']);
  });

  it('scales to a site and takes a model, power price and lease rate', async () => {
    const reply = await run('site', { mw: '50', power: '0.04', model: 's21xp', lease: '1.5M' });
    const d = reply.data!;
    const m = d.perMwMonth as Record<string, number>;
    // 1e6 / 13.5 = 74,074.07 TH/s × 0.03886398720675945 × 30.4375 = $87,624.27; power 24,000 × 0.04 × 30.4375 = $29,220.
    expect(m.miningRevenue).toBeCloseTo((1e6 / 13.5) * 0.03886398720675945 * 30.4375, 6);
    expect(m.powerCost).toBeCloseTo(29_220, 6);
    // Lease 1,500,000 / 12 = $125,000 per MW; the site: × 50 = $6.25M a month.
    expect(m.lease).toBe(125_000);
    expect((d.siteMonth as Record<string, number>).lease).toBe(6_250_000);
    // (125,000 + 29,220) × 13.5 / 30,437.5 = $68.40/PH/day.
    expect(d.hashpriceToMatchLease).toBeCloseTo((154_220 * 13.5) / 30_437.5, 9);
    expect(reply.lines).toContain(
      'Lease rate set by you. Tenants pay their own power in these leases, so the lease compares with mining after power.',
    );
    expectOnEverySurface(reply, ['$87,624', '$29,220', '$125,000', '$6.25M', '$68.40/PH/day']);
  });

  it('takes an efficiency in J/TH in place of a model', async () => {
    const reply = await run('site', { efficiency: '25' });
    // 1e6 / 25 = 40,000 TH/s × 0.03886398720675945 × 30.4375 = $47,316.90; − $43,830 = $3,486.90.
    expect((reply.data!.perMwMonth as Record<string, number>).miningMargin).toBeCloseTo(40_000 * 0.03886398720675945 * 30.4375 - 43_830, 6);
    expect(reply.data!.model).toBeNull();
    const both = await run('site', { efficiency: '25', model: 's21xp', power: '0.0425' });
    expect((both.data!.perMwMonth as Record<string, number>).miningRevenue).toBeCloseTo(40_000 * 0.03886398720675945 * 30.4375, 6);
    expect(both.lines![0]).toMatch(/^Per MW a month, mining with 25 J\/TH machines at \$0\.0425\/kWh /);
    expect(both.lines![2]).toContain('Both given: efficiency= is used, model= ignored.');
    expect(reply.lines![0]).toMatch(/^Per MW a month, mining with 25 J\/TH machines at \$0\.06\/kWh nets \$3,487 after power;/);
  });

  it("uses the operator's defaults from the environment, and says they are the operator's", async () => {
    const config = loadConfig({ ...fake.env, AI_LEASE_USD_PER_MW_YEAR: '1200000', REFERENCE_POWER_USD_PER_KWH: '0.045' });
    const reply = await runCommand(commands, 'site', {}, { ...ctx(), services: { benchmarks: benchmarksFrom(config) } }, silentLogger);
    const m = reply.data!.perMwMonth as Record<string, number>;
    // 1,200,000 / 12 = $100,000 per MW per month; power 24,000 kWh × $0.045 × 30.4375 = $32,872.50.
    expect(m.lease).toBe(100_000);
    expect(m.powerCost).toBeCloseTo(32_872.5, 6);
    expect(reply.lines).toContain(
      "Lease default $1.2M per MW per year, set by this bot's operator; set lease= for your own. No model given: a fleet of Antminer S21. Tenants pay their own power in these leases, so the lease compares with mining after power.",
    );
    // An option still beats the operator's default.
    const asked = await runCommand(
      commands,
      'site',
      { lease: '2M' },
      { ...ctx(), services: { benchmarks: benchmarksFrom(config) } },
      silentLogger,
    );
    expect((asked.data!.perMwMonth as Record<string, number>).lease).toBeCloseTo(2e6 / 12, 6);
  });

  it('rejects a site of no megawatts with what is accepted', async () => {
    const reply = await run('site', { mw: '0' });
    expect(reply.tone).toBe('error');
    expect(reply.lines?.[0]).toBe('`mw` must be a number from 0.001 to 100,000 MW, e.g. mw=50 (got "0")');
  });
});
