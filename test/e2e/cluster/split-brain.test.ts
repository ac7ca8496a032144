/**
 * Split brain (issue 12): the leader is frozen (SIGSTOP) mid-fan-out for longer than its lease and
 * the server's idle-session timeout, so another process takes over and goes on, with more alerts
 * queued meanwhile. Then the old leader is resumed: it still holds the rows it had claimed and its
 * timers all fire at once, yet it must notice it lost leadership before sending anything, and say
 * it is a follower. Each process reaches the Telegram stand-in through its own entrance, so every
 * call is known by the process that made it.
 */
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStoreAt } from '../../../src/store/index.ts';
import { startFakeMempool, type FakeMempool } from '../../fakes/mempool.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram.ts';
import { PRICE_USD } from '../../fakes/world.ts';
import { freshDatabase } from '../../support/postgres.ts';
import { startCluster, stopAllBots, until, sleep, type Cluster } from './cluster.ts';
import { alertLedger, alertsDelivered } from './ledger.ts';
import { connect, outboxSummary, rowsInFlight, seedPriceAlerts } from './seed.ts';

const FIRST_BATCH = 450;
const SECOND_BATCH = 150;
const LINE_USD = PRICE_USD + 5_000;
/** Under the moved price already: the rules queued during the pause fire at their first evaluation. */
const SECOND_LINE_USD = PRICE_USD + 2_000;
const MOVED_USD = PRICE_USD + 10_000;
/**
 * Longer than the leader's lease (~8 s) and the server's idle-session timeout (~10 s) plus a
 * follower's retry (~2 s): by then the lock has passed on.
 */
const PAUSE_MS = 15_000;
/** What a process that is not the leader must never call: anything that posts to a chat, and polling. */
const LEADER_ONLY_METHODS = new Set(['sendMessage', 'sendPhoto', 'editMessageText', 'editMessageMedia', 'getUpdates']);

let mempool: FakeMempool;
let telegram: FakeTelegram;
let cluster: Cluster | undefined;
let probe: pg.Client | undefined;

beforeAll(async () => {
  [mempool, telegram] = await Promise.all([startFakeMempool(), startFakeTelegram()]);
});
afterEach(async () => {
  await cluster?.stop();
  await stopAllBots();
  await probe?.end();
});
afterAll(async () => {
  await Promise.all([mempool?.close(), telegram?.close()]);
});

describe('split brain: a paused leader resumes', () => {
  it('sends nothing more after it resumes, and reports itself a follower', async () => {
    const db = await freshDatabase();
    const store = await openStoreAt(db);
    const first = await seedPriceAlerts(store, { count: FIRST_BATCH, firstChatId: 8_000_001, above: LINE_USD });
    mempool.setPriceUsd(MOVED_USD);

    cluster = await startCluster({
      names: ['a', 'b'],
      env: async (name) => ({
        DATABASE_URL: db,
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: await telegram.entrance(name),
        ...mempool.env,
        POLL_INTERVAL_SEC: '10',
        LOG_LEVEL: 'info',
      }),
    });
    const c = cluster;
    const { bot: old } = await c.leader({ timeoutMs: 60_000 });
    const next = c.bots.find((b) => b !== old)!;
    await c.waitForRole([next], 'follower', 60_000);
    await until(
      () => (alertsDelivered(telegram.sent, first, LINE_USD) >= 60 ? true : undefined),
      90_000,
      async () => `the fan-out did not start\n${await c.report()}`,
    );
    const client = await connect(db);
    probe = client;

    old.pause();
    const pausedAt = Date.now();
    const deliveredAtPause = alertsDelivered(telegram.sent, first, LINE_USD);
    const inFlight = await rowsInFlight(client);
    expect(deliveredAtPause, 'the fan-out ended before the pause: nothing left to take over').toBeLessThan(FIRST_BATCH);
    // More alerts while the old leader is frozen: rules already past their line, stored before the
    // other process can take over (the server holds the lock for its idle-session timeout), so the
    // new leader fires them and queues them. The old leader must never send these either.
    const second = await seedPriceAlerts(store, { count: SECOND_BATCH, firstChatId: 8_100_001, above: SECOND_LINE_USD });
    await store.close();

    const { seenAt } = await c.leader({ among: [next], timeoutMs: 45_000 });
    console.log(`split brain: ${old.name} paused after ${deliveredAtPause} alerts; ${next.name} leads ${seenAt - pausedAt} ms later`);
    await sleep(Math.max(0, pausedAt + PAUSE_MS - Date.now()));

    old.resume();
    const resumedAt = Date.now();
    await c.waitForRole([old], 'follower', 20_000);
    await c.waitForRole([next], 'leader', 5_000);

    await until(
      () =>
        alertLedger(telegram.sent, first, LINE_USD).missing.length === 0 &&
        alertLedger(telegram.sent, second, SECOND_LINE_USD).missing.length === 0
          ? true
          : undefined,
      100_000,
      async () =>
        `still missing: ${alertLedger(telegram.sent, first, LINE_USD).missing.length} of the first batch, ${alertLedger(telegram.sent, second, SECOND_LINE_USD).missing.length} of the second; in flight at the pause: ${inFlight.length}; outbox: ${await outboxSummary(client)}\n${await c.report()}`,
    );
    // A resumed leader that had not noticed would act within its next timer ticks: give it time to.
    await sleep(5_000);

    const byOldAfterResume = telegram.calls.filter((call) => call.via === old.name && call.at >= resumedAt);
    expect(
      byOldAfterResume.filter((call) => LEADER_ONLY_METHODS.has(call.method)).map((call) => call.method),
      'calls the resumed old leader made',
    ).toEqual([]);
    expect((await old.readyz())?.role).toBe('follower');

    const firstLedger = alertLedger(telegram.sent, first, LINE_USD);
    const secondLedger = alertLedger(telegram.sent, second, SECOND_LINE_USD);
    const inFlightChats = new Set(inFlight.map((r) => Number(r.chatId)));
    // Only rows the old leader had leased when it froze may arrive twice: it may have sent them
    // without recording it, and they are sent again once their lease is over.
    for (const [chat, times] of firstLedger.repeated) {
      expect(inFlightChats.has(chat), `chat ${chat} got its alert ${times} times but it was not in flight at the pause`).toBe(true);
      expect(times).toBe(2);
    }
    expect(secondLedger.repeated.size).toBe(0);
    expect(secondLedger.missing).toEqual([]);
    expect([...secondLedger.byChat.values()].flat().every((m) => m.via === next.name)).toBe(true);
    expect(firstLedger.foreign.concat(secondLedger.foreign)).toEqual([]);
  }, 180_000);
});
