import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { defineCommand, type CommandContext } from '../../src/core/command.ts';
import type { Reply } from '../../src/core/reply.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMarket, type Market } from '../../src/sources/index.ts';
import { openStore } from '../../src/store/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';

const ctxFor = (market: Market): CommandContext => ({ market, now: () => Date.now(), platform: 'cli', version: 'test', services: {} });

/** A command whose runs are counted and held open until released, so asks overlap for sure. */
function counted(shared: boolean) {
  let runs = 0;
  const gates: (() => void)[] = [];
  const command = defineCommand({
    name: 'counted',
    description: 'test',
    options: { n: { kind: 'integer', min: 0, max: 10, example: '1', description: 'n' } },
    shared,
    examples: ['/counted'],
    run: async (_ctx, args): Promise<Reply> => {
      runs++;
      await new Promise<void>((resolve) => gates.push(resolve));
      return { title: `n=${args.n ?? 'none'}`, sections: [], footer: [], tone: 'neutral' };
    },
  });
  return {
    command,
    runs: () => runs,
    release: () => {
      for (const g of gates.splice(0)) g();
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('runCommand sharing one run between concurrent identical asks', () => {
  const market = {} as Market;

  it('runs a shared command once for concurrent identical asks, and each ask gets that reply', async () => {
    const c = counted(true);
    const asks = [
      runCommand([c.command], 'counted', { n: '1' }, ctxFor(market)),
      runCommand([c.command], 'counted', { n: '1' }, ctxFor(market)),
    ];
    await tick();
    c.release();
    const [a, b] = await Promise.all(asks);
    expect(c.runs()).toBe(1);
    expect(a!.title).toBe('n=1');
    expect(b).toBe(a);
  });

  it('runs again for other options, another market, and once the shared run has finished (nothing is cached)', async () => {
    const c = counted(true);
    const other = {} as Market;
    const asks = [
      runCommand([c.command], 'counted', { n: '1' }, ctxFor(market)),
      runCommand([c.command], 'counted', { n: '2' }, ctxFor(market)),
      runCommand([c.command], 'counted', { n: '1' }, ctxFor(other)),
    ];
    await tick();
    c.release();
    expect((await Promise.all(asks)).map((r) => r.title)).toEqual(['n=1', 'n=2', 'n=1']);
    expect(c.runs()).toBe(3);
    const later = runCommand([c.command], 'counted', { n: '1' }, ctxFor(market));
    await tick();
    c.release();
    await later;
    expect(c.runs()).toBe(4);
  });

  it('runs a command not declared shared once per ask', async () => {
    const c = counted(false);
    const asks = [runCommand([c.command], 'counted', {}, ctxFor(market)), runCommand([c.command], 'counted', {}, ctxFor(market))];
    await tick();
    c.release();
    await Promise.all(asks);
    expect(c.runs()).toBe(2);
  });
});

describe("runCommand and the asker's stored /settings", () => {
  /** Answers with the prefs the command saw, so each test reads what runCommand handed it. */
  const prefsEcho = defineCommand({
    name: 'prefs',
    description: 'test',
    options: {},
    examples: ['/prefs'],
    run: async (ctx): Promise<Reply> => ({
      title: ctx.prefs ? `${ctx.prefs.currency} ${ctx.prefs.zone}` : 'no prefs',
      sections: [],
      footer: [],
      tone: 'neutral',
    }),
  });
  const asker = {
    user: { platform: 'telegram' as const, id: '9', name: 'nine' },
    chat: { id: '-5', kind: 'group' as const, isAdmin: async () => false },
  };

  async function storeWithSettings() {
    const store = openStore(':memory:');
    await store.settings.set('user', { platform: 'telegram', id: '9' }, { currency: 'EUR' }, 0);
    await store.settings.set('chat', { platform: 'telegram', id: '-5' }, { zone: 'Asia/Tokyo' }, 0);
    return store;
  }

  it("reads them from services.settings before the command runs: the asker's over the chat's", async () => {
    const store = await storeWithSettings();
    const ctx: CommandContext = { ...ctxFor({} as Market), platform: 'telegram', services: { settings: store.settings }, ...asker };
    expect((await runCommand([prefsEcho], 'prefs', {}, ctx)).title).toBe('EUR Asia/Tokyo');
    await store.close();
  });

  it('keeps prefs the context already carries', async () => {
    const store = await storeWithSettings();
    const given = {
      currency: 'GBP' as const,
      zone: 'UTC',
      origin: { currency: 'user', zone: 'default', power: 'default', efficiencyJPerTh: 'default' } as const,
    };
    const ctx: CommandContext = { ...ctxFor({} as Market), services: { settings: store.settings }, prefs: given, ...asker };
    expect((await runCommand([prefsEcho], 'prefs', {}, ctx)).title).toBe('GBP UTC');
    await store.close();
  });

  it('answers with the defaults, and logs it, when the settings cannot be read', async () => {
    const store = await storeWithSettings();
    const warnings: string[] = [];
    const log = { warn: (_: object, message: string) => warnings.push(message), error: () => undefined };
    const settings = { ...store.settings, prefsFor: () => Promise.reject(new Error('database is locked')) };
    const ctx: CommandContext = { ...ctxFor({} as Market), services: { settings }, ...asker };
    const reply = await runCommand([prefsEcho], 'prefs', {}, ctx, log);
    expect(reply.title).toBe('no prefs');
    expect(warnings).toEqual(['settings unreadable; answering in USD and UTC']);
    await store.close();
  });
});

describe('a cold burst of /hashprice against the fake mempool', () => {
  let fake: FakeMempool;
  beforeAll(async () => {
    fake = await startFakeMempool();
  });
  afterAll(() => fake.close());

  it('builds the reply once for 500 concurrent asks (each ask used to compute it, so every reply waited for all)', async () => {
    const market = createMarket({ config: loadConfig({ ...fake.env }), logger: silentLogger });
    let tipAsks = 0;
    const counting: Market = {
      ...market,
      tip: () => {
        tipAsks++;
        return market.tip();
      },
    };
    const replies = await Promise.all(Array.from({ length: 500 }, () => runCommand(commands, 'hashprice', {}, ctxFor(counting))));
    expect(tipAsks).toBe(1);
    expect(replies.every((r) => r.tone !== 'error' && r.title === replies[0]!.title)).toBe(true);
    expect(market.callCounts()['mempool (127.0.0.1) /v1/blocks']).toBe(1);
  });
});
