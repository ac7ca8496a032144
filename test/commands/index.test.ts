/** Every command through the registry (commands/index.ts) against the fake mempool: none crashes on any input; /profit and /digest in the test world. */
import fc from 'fast-check';
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

let fake: FakeMempool;
let market: Market;
// Seven minutes after the fixture's tip block, so ages in footers are deterministic.
const NOW = (1743541240 + 7 * 60) * 1000;

const ctx = (m: Market = market): CommandContext => ({ market: m, now: () => NOW, platform: 'cli', version: 'test', services: {} });
const run = (name: string, raw: Record<string, unknown> = {}, m?: Market) => runCommand(commands, name, raw, ctx(m), silentLogger);

beforeAll(async () => {
  fake = await startFakeMempool();
  market = createMarket({
    config: loadConfig({ ...fake.env }),
    logger: silentLogger,
    now: () => NOW,
  });
});
afterAll(async () => {
  await fake.close();
});

describe('every command', () => {
  // /alert, /settings and /forget manage the asker's own data (a store and a user): test/alerts,
  // test/commands/settings.test.ts and test/commands/forget.test.ts cover them.
  const dataCommands = commands.map((c) => c.name).filter((n) => n !== 'alert' && n !== 'settings' && n !== 'forget');
  it.each(dataCommands)('/%s answers with a footer saying where and how fresh', async (name) => {
    const sample: Record<string, Record<string, string>> = { profit: { model: 's19jpro', power: '0.06' }, chart: { metric: 'hashprice' } };
    const reply = await run(name, sample[name] ?? {});
    expect(reply.tone, renderText(reply)).not.toBe('error');
    expect(reply.title.length).toBeGreaterThan(0);
    if (!['help'].includes(name)) expect(reply.footer.join('\n')).toMatch(/mempool \(127\.0\.0\.1\)/);
  });

  it('never crashes on arbitrary option input (property)', async () => {
    const valueArb = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.double(),
      fc.integer(),
      fc.constantFrom('', '-1', '1e309', 'NaN', '<b>x</b>', '@everyone', '0', '99999999999'),
    );
    for (const command of commands) {
      const names = [...Object.keys(command.options), 'bogus'];
      await fc.assert(
        fc.asyncProperty(fc.dictionary(fc.constantFrom(...names), valueArb, { maxKeys: 4 }), async (raw) => {
          const reply = await run(command.name, raw);
          expect(typeof reply.title).toBe('string');
          expect(Array.isArray(reply.footer)).toBe(true);
        }),
        { numRuns: 60 },
      );
    }
  });
});

describe('/profit', () => {
  it('computes margin and breakevens for a model at a power price', async () => {
    const reply = await run('profit', { model: 's19jpro', power: '0.06' });
    // S19j Pro 29.5 J/TH: cost 29.5 × 24 / 1000 × 0.06 = 0.04248 $/TH/day; revenue 0.038864 $/TH/day;
    // breakeven power = 0.038864 / 0.708 = 0.054893 $/kWh; breakeven hashprice = 29.5 × 24 × 0.06 = $42.48/PH/day.
    expect(reply.data?.powerCostPerThDay).toBeCloseTo(0.04248, 8);
    expect(reply.data?.breakevenPowerUsdPerKwh).toBeCloseTo(0.038863987 / 0.708, 6);
    expect(reply.data?.breakevenHashpriceUsdPerPhDay).toBeCloseTo(42.48, 8);
    expect(reply.tone).toBe('down');
  });
});

describe('/digest', () => {
  it('carries the 30-day hashprice chart and 2-4 insights computed from the data', async () => {
    const reply = await run('digest');
    expect(reply.chart?.png.subarray(1, 4).toString()).toBe('PNG');
    expect(reply.chart?.alt).toMatch(/hashprice/i);
    expect(reply.lines?.length).toBeGreaterThanOrEqual(2);
    expect(reply.lines?.length).toBeLessThanOrEqual(4);
    // The fake world's week: Foundry 323 + AntPool 171 of 1,024 blocks = 48.2 %.
    expect(reply.lines).toContain(
      'The top 2 pools found 48 % of blocks this week (Foundry USA, AntPool); 3 pools together found more than half.',
    );
    expect(reply.lines).toContain('Fees are 0.64 % of miner revenue; the subsidy pays the rest.');
  });
});

describe('scheduled digest', () => {
  it('carries absolute times, since it may wait in the outbox before anyone reads it', async () => {
    const { buildDigest } = await import('../../src/digests/build.ts');
    const reply = await buildDigest({ market, now: () => NOW, services: {} }, 'absolute');
    // The tip block 890,447 was mined at 1743541240 = 2025-04-01 21:00:40 UTC.
    expect(reply.footer[0]).toBe('Block 890,447 · mined 2025-04-01 21:00 UTC');
    expect(reply.footer.join('\n')).not.toMatch(/ago|just now/);
  });
});
