/**
 * The cluster harness itself, on one bot with its default SQLite store: what the failover and
 * split-brain tests rely on (a process's /readyz, a paused process not answering, clean-up of every
 * process started) holds, so their failures are about the bot, not the harness.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeMempool, type FakeMempool } from '../../fakes/mempool.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram.ts';
import { startCluster, stopAllBots, until, type Cluster } from './cluster.ts';

let mempool: FakeMempool;
let telegram: FakeTelegram;
let cluster: Cluster | undefined;

beforeAll(async () => {
  [mempool, telegram] = await Promise.all([startFakeMempool(), startFakeTelegram()]);
});
afterEach(async () => {
  await cluster?.stop();
  await stopAllBots();
});
afterAll(async () => {
  await Promise.all([mempool?.close(), telegram?.close()]);
});

describe('cluster harness', () => {
  it('reads /readyz of a single SQLite bot, sees it frozen and back, and ends it', async () => {
    cluster = await startCluster({
      names: ['solo'],
      env: async (name) => ({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: await telegram.entrance(name), ...mempool.env }),
    });
    const [bot] = cluster.bots;
    const c = cluster;
    const ready = await until(
      async () => {
        const r = await bot!.readyz();
        return r?.status === 200 ? r : undefined;
      },
      60_000,
      () => c.report(),
    );
    expect(ready.role).toBe('single');
    // One process, so it leads itself; it polls Telegram through its own entrance.
    await until(
      () => (telegram.calls.some((call) => call.method === 'getUpdates' && call.via === 'solo') ? true : undefined),
      20_000,
      () => c.report(),
    );

    bot!.pause();
    expect(await bot!.readyz(1_000)).toBeUndefined();
    bot!.resume();
    expect((await bot!.readyz())?.role).toBe('single');

    bot!.kill();
    await bot!.ended;
    expect(bot!.signal).toBe('SIGKILL');
    expect(await bot!.readyz(1_000)).toBeUndefined();
  }, 90_000);

  it('leaves no process behind: stopAllBots ends what is still running, paused or not', async () => {
    // With a token each runs until stopped (without one it would run the terminal prompt, which ends with stdin).
    cluster = await startCluster({
      names: ['x', 'y'],
      env: () => ({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot, ...mempool.env }),
    });
    const [x, y] = cluster.bots;
    const c = cluster;
    await until(
      async () => ((await x!.readyz()) && (await y!.readyz()) ? true : undefined),
      60_000,
      () => c.report(),
    );
    x!.pause();
    await stopAllBots();
    await Promise.all([x!.ended, y!.ended]);
    for (const bot of [x!, y!]) {
      expect(() => process.kill(bot.pid, 0)).toThrow();
    }
  }, 90_000);
});
