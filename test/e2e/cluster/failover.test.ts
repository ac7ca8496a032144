/**
 * Failover (issue 12): three bot processes on one PostgreSQL, 1,000 alerts firing; the leader is
 * SIGKILLed about a third of the way through the fan-out; another process takes over and the rest
 * goes out. Every user gets their alert, none twice except a message that was in flight at the kill,
 * and each chat's digest is posted exactly once that day.
 */
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStoreAt } from '../../../src/store/index.ts';
import { startFakeMempool, type FakeMempool } from '../../fakes/mempool.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram.ts';
import { PRICE_USD } from '../../fakes/world.ts';
import { freshDatabase } from '../../support/postgres.ts';
import { startCluster, stopAllBots, until, sleep, type Cluster } from './cluster.ts';
import { alertLedger, alertsDelivered, byProcess, digestsByChat } from './ledger.ts';
import { connect, nextMinuteUtc, outboxSummary, rowsInFlight, seedDigests, seedPriceAlerts, type DigestChat } from './seed.ts';

const USERS = 1_000;
const FIRST_CHAT = 7_000_001;
/** The line every rule watches, above the stand-in's price; the market then moves past it. */
const LINE_USD = PRICE_USD + 5_000;
const MOVED_USD = PRICE_USD + 10_000;
/**
 * The most messages another leader may send twice: the rows the dead leader had leased (claimed,
 * not yet recorded as sent). The outbox worker (src/delivery/outbox-worker.ts) never has more than
 * its concurrency, 8, leased at once, so a duplicate beyond 8 is a bug whatever the timing; the
 * test checks the tighter bound too, the rows actually leased at the kill.
 */
const SEND_CONCURRENCY = 8;
const TAKEOVER_LIMIT_MS = 30_000;

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

describe('failover: three bots on one PostgreSQL', () => {
  it('another process takes over when the leader is killed mid-fan-out; every alert arrives, none twice beyond those in flight', async () => {
    const db = await freshDatabase();
    const store = await openStoreAt(db);
    const seeded = await seedPriceAlerts(store, { count: USERS, firstChatId: FIRST_CHAT, above: LINE_USD });
    // Some users also take the digest by DM, and a few groups get it: due the next minute, so it
    // comes due while the processes run (before, during or after the kill, whichever minute it is).
    const digestChats: DigestChat[] = [
      ...seeded.slice(0, 20).map((s) => ({ chatId: s.chatId, kind: 'user' as const })),
      ...[1, 2, 3, 4, 5].map((i) => ({ chatId: -1_001_000_000 - i, kind: 'channel' as const })),
    ];
    await seedDigests(store, digestChats, nextMinuteUtc(), 'UTC');
    await store.close();
    // The market moves past every rule's line before the bots start: the first evaluation fires all.
    mempool.setPriceUsd(MOVED_USD);

    const delivered = () => alertsDelivered(telegram.sent, seeded, LINE_USD);
    cluster = await startCluster({
      names: ['a', 'b', 'c'],
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
    const { bot: first } = await c.leader({ timeoutMs: 60_000 });
    const others = c.bots.filter((b) => b !== first);
    await c.waitForRole(others, 'follower', 60_000);
    // The bot paces Telegram sends at 30 a second (src/adapters/telegram/pacer.ts, the Bot API FAQ's
    // limit), so 1,000 alerts take over 30 s: a third of the way is about 11 s in.
    const atKill = await until(
      () => {
        const n = delivered();
        return n >= USERS / 3 ? n : undefined;
      },
      90_000,
      async () => `only ${delivered()} of ${USERS} alerts delivered\n${await c.report()}`,
    );
    expect(atKill, 'the fan-out ended before the kill: nothing left to fail over').toBeLessThan(USERS);
    const client = await connect(db);
    probe = client;

    first.kill();
    const killedAt = Date.now();
    // Read at once: the dead leader's leases are frozen from here on, and no other process may take
    // them before they expire.
    const inFlight = await rowsInFlight(client);
    const { bot: second, seenAt } = await c.leader({ among: others, timeoutMs: TAKEOVER_LIMIT_MS + 10_000 });
    const takeoverMs = seenAt - killedAt;
    console.log(`failover: leader ${first.name} killed after ${atKill} of ${USERS} alerts; ${second.name} leads ${takeoverMs} ms later`);
    expect(takeoverMs).toBeLessThan(TAKEOVER_LIMIT_MS);

    const digestChatIds = digestChats.map((d) => d.chatId);
    await until(
      () => {
        const alertsDone = alertLedger(telegram.sent, seeded, LINE_USD).missing.length === 0;
        const digestsDone = [...digestsByChat(telegram.sent, digestChatIds).values()].every((n) => n >= 1);
        return alertsDone && digestsDone ? true : undefined;
      },
      100_000,
      async () => {
        const ledger = alertLedger(telegram.sent, seeded, LINE_USD);
        const digests = [...digestsByChat(telegram.sent, digestChatIds)].filter(([, n]) => n === 0).map(([chat]) => chat);
        return `${ledger.missing.length} users still without their alert (e.g. ${ledger.missing.slice(0, 5).join(', ')}); chats without their digest: ${digests.join(', ') || 'none'}; in flight at the kill: ${inFlight.length}; outbox: ${await outboxSummary(client)}\n${await c.report()}`;
      },
    );
    // Anything sent twice would come right after the last row: give it time to show.
    await sleep(3_000);

    const ledger = alertLedger(telegram.sent, seeded, LINE_USD);
    const lastDelivery = Math.max(...[...ledger.byChat.values()].flatMap((got) => got.slice(0, 1).map((m) => m.at)));
    const inFlightChats = new Set(inFlight.map((r) => Number(r.chatId)));
    const repeats = [...ledger.repeated].reduce((sum, [, n]) => sum + n - 1, 0);
    console.log(
      `failover: ${ledger.delivered} alert messages for ${USERS} users (${repeats} repeated; ${inFlight.length} rows were in flight at the kill); sent by ${byProcess(telegram.sent)}; all delivered ${Math.round((lastDelivery - killedAt) / 1000)} s after the kill`,
    );
    expect(ledger.missing).toEqual([]);
    expect(ledger.foreign).toEqual([]);
    expect(inFlight.length).toBeLessThanOrEqual(SEND_CONCURRENCY);
    expect(repeats).toBeLessThanOrEqual(inFlight.length);
    for (const [chat, times] of ledger.repeated) {
      expect(inFlightChats.has(chat), `chat ${chat} got its alert ${times} times but it was not in flight at the kill`).toBe(true);
      expect(times).toBe(2);
    }

    // Each chat's digest once; twice only if that very digest was in flight at the kill.
    const inFlightKeys = new Set(inFlight.map((r) => r.idemKey));
    for (const [chat, times] of digestsByChat(telegram.sent, digestChatIds)) {
      const wasInFlight = [...inFlightKeys].some((k) => k.startsWith(`digest:telegram:${chat}:`));
      expect(times, `digests posted to chat ${chat}`).toBeGreaterThanOrEqual(1);
      expect(times, `digests posted to chat ${chat}`).toBeLessThanOrEqual(wasInFlight ? 2 : 1);
    }

    // Only the leader of the moment delivers: the first until it died, then the one that took over.
    const deliveries = telegram.sent.filter((m) => m.method === 'sendMessage' || m.method === 'sendPhoto');
    const senders = (from: number, to: number) => [...new Set(deliveries.filter((m) => m.at >= from && m.at < to).map((m) => m.via))];
    expect(senders(0, killedAt)).toEqual([first.name]);
    expect(senders(killedAt, Number.POSITIVE_INFINITY)).toEqual([second.name]);
    // And only the leader long-polls Telegram (two pollers on one token get 409 from the real API).
    const pollers = (from: number, to: number) => [
      ...new Set(telegram.calls.filter((call) => call.method === 'getUpdates' && call.at >= from && call.at < to).map((call) => call.via)),
    ];
    expect(pollers(0, killedAt)).toEqual([first.name]);
    expect(pollers(killedAt, Number.POSITIVE_INFINITY)).toEqual([second.name]);
  }, 180_000);
});
