import { describe, expect, it } from 'vitest';
import { OutboxWorker, type OutboxWorkerOptions } from '../../src/delivery/outbox-worker.ts';
import type { Destination, Sender, SendResult } from '../../src/core/delivery.ts';
import type { Reply } from '../../src/core/reply.ts';
import type { Store } from '../../src/store/index.ts';
import { silentLogger } from '../../src/logger.ts';
import { BACKENDS, closedAfterEach, type Backend, type Inspected } from '../support/backends.ts';

const reply = (title: string): Reply => ({ title, sections: [], footer: ['test'], tone: 'neutral' });
const user = (chatId: string): Destination => ({ platform: 'telegram', chatId, kind: 'user' });

/** A Sender that answers from a script per chat (default: ok) and records every call. */
function scriptedSender(script: Record<string, SendResult[]> = {}) {
  const calls: { chatId: string; title: string }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sender: Sender = {
    platform: 'telegram',
    async send(d, r) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      calls.push({ chatId: d.chatId, title: r.title });
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return script[d.chatId]?.shift() ?? { ok: true, messageIds: [String(calls.length)] };
    },
  };
  return { sender, calls, maxInFlight: () => maxInFlight };
}

const openStore = closedAfterEach();

/**
 * Waits up to 5 s for what the worker does in the background, for the expect that follows: a
 * PostgreSQL query answers over a socket, not within a fixed number of event-loop turns.
 */
async function settled(cond: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + 5_000;
  while (!(await cond()) && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
}

async function setup(backend: Backend, script?: Record<string, SendResult[]>, concurrency = 4) {
  const store = await openStore(backend);
  const clock = { t: 1_000_000 };
  const fake = scriptedSender(script);
  const disabled: string[] = [];
  const worker = new OutboxWorker({
    store,
    senders: [fake.sender],
    log: silentLogger,
    now: () => clock.t,
    concurrency,
    baseBackoffMs: 1000,
    maxAttempts: 3,
    onDisabled: (d) => {
      disabled.push(d.chatId);
    },
  });
  return { store, clock, fake, worker, disabled };
}

describe.each(BACKENDS)('OutboxWorker on $name', (backend) => {
  it('sends every due row once, with bounded concurrency', async () => {
    const { store, fake, worker, clock } = await setup(backend, undefined, 4);
    for (let i = 0; i < 50; i++) await store.outbox.enqueue(`k${i}`, user(String(i)), reply(`m${i}`), clock.t);
    expect(await worker.drain()).toBe(50);
    expect(fake.calls).toHaveLength(50);
    expect(new Set(fake.calls.map((c) => c.title)).size).toBe(50);
    expect(fake.maxInFlight()).toBe(4);
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: 50, failed: 0 });
    expect(await worker.drain()).toBe(0);
  });

  it('retries transient failures with exponential backoff and gives up after maxAttempts', async () => {
    const transient = { ok: false as const, permanent: false, reason: 'HTTP 502' };
    const { store, fake, worker, clock } = await setup(backend, { a: [transient, transient], b: [transient, transient, transient] });
    await store.outbox.enqueue('a', user('a'), reply('a'), clock.t);
    await store.outbox.enqueue('b', user('b'), reply('b'), clock.t);
    await worker.drain();
    expect(await store.outbox.nextDueMs()).toBe(clock.t + 1000);
    clock.t += 999;
    expect(await worker.drain()).toBe(0);
    clock.t += 1;
    await worker.drain(); // second attempt: both fail again, backoff 2 s
    clock.t += 2000;
    expect(await worker.drain()).toBe(1); // a succeeds on the third attempt; b fails a third time and is given up
    expect(fake.calls.filter((c) => c.chatId === 'b')).toHaveLength(3);
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: 1, failed: 1 });
  });

  it('honours retry_after: the row waits and the platform pauses, without using up attempts', async () => {
    const limited = { ok: false as const, permanent: false, reason: '429', retryAfterMs: 5000 };
    const { store, fake, worker, clock } = await setup(backend, { a: [limited, limited, limited, limited] }, 1);
    await store.outbox.enqueue('a', user('a'), reply('a'), clock.t);
    await store.outbox.enqueue('b', user('b'), reply('b'), clock.t);
    await worker.drain();
    expect(fake.calls.map((c) => c.chatId)).toEqual(['a']); // b waits too: the whole platform is paused
    for (let i = 0; i < 3; i++) {
      clock.t += 5000;
      await worker.drain();
    }
    clock.t += 5000;
    expect(await worker.drain()).toBe(1); // four 429s did not exhaust maxAttempts = 3
    expect(fake.calls.map((c) => c.chatId)).toEqual(['a', 'b', 'a', 'a', 'a', 'a']);
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: 2, failed: 0 });
  });

  it('disables a blocked destination (its rules and schedules), fails its queue, and keeps delivering to others', async () => {
    const blocked = { ok: false as const, permanent: true, reason: 'Forbidden: bot was blocked by the user' };
    const { store, fake, worker, clock, disabled } = await setup(backend, { '1': [blocked] }, 1);
    const u1 = await store.users.ensure('telegram', '1', 'one', clock.t);
    const u2 = await store.users.ensure('telegram', '2', 'two', clock.t);
    const state = { armed: true, episode: 0, lastFiredMs: null, memo: null };
    await store.rules.insert({ userId: u1, specJson: '{"kind":"retarget"}', cooldownSec: 0, createdMs: clock.t }, state);
    await store.rules.insert({ userId: u2, specJson: '{"kind":"retarget"}', cooldownSec: 0, createdMs: clock.t }, state);
    await store.schedules.upsert({
      platform: 'telegram',
      chatId: '1',
      kind: 'user',
      time: '14:00',
      timezone: 'UTC',
      createdBy: '1',
      lastDate: null,
      createdMs: clock.t,
    });
    await store.outbox.enqueue('x1', user('1'), reply('x1'), clock.t);
    await store.outbox.enqueue('x2', user('1'), reply('x2'), clock.t);
    await store.outbox.enqueue('y1', user('2'), reply('y1'), clock.t);
    await worker.drain();
    expect(fake.calls.map((c) => c.title)).toEqual(['x1', 'y1']);
    expect(disabled).toEqual(['1']);
    expect((await store.rules.active()).map((r) => r.externalId)).toEqual(['2']);
    expect(await store.schedules.active()).toEqual([]);
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: 1, failed: 2 });
  });

  it('follows a migrated group: the schedule and the queued rows move to the new chat id', async () => {
    const { store, fake, worker, clock } = await setup(backend, {
      '-100': [{ ok: false, permanent: false, reason: 'migrated', migratedTo: '-100999' }],
    });
    await store.schedules.upsert({
      platform: 'telegram',
      chatId: '-100',
      kind: 'channel',
      time: '14:00',
      timezone: 'UTC',
      createdBy: '5',
      lastDate: null,
      createdMs: clock.t,
    });
    await store.outbox.enqueue('d', { platform: 'telegram', chatId: '-100', kind: 'channel' }, reply('digest'), clock.t);
    expect(await worker.drain()).toBe(1);
    expect(fake.calls.map((c) => c.chatId)).toEqual(['-100', '-100999']);
    expect((await store.schedules.get('telegram', '-100999'))?.kind).toBe('channel');
    expect(await store.schedules.get('telegram', '-100')).toBeUndefined();
  });

  it('keeps sending rows queued after a send that hangs', async () => {
    const store = await openStore(backend);
    const clock = { t: 1_000_000 };
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const calls: string[] = [];
    const sender: Sender = {
      platform: 'telegram',
      async send(d) {
        calls.push(d.chatId);
        if (d.chatId === 'slow') await hung;
        return { ok: true, messageIds: ['1'] };
      },
    };
    const worker = new OutboxWorker({ store, senders: [sender], log: silentLogger, now: () => clock.t, concurrency: 4, idleMs: 60_000 });
    await store.outbox.enqueue('slow', user('slow'), reply('slow'), clock.t);
    const draining = worker.drain();
    await settled(() => calls.length > 0);
    expect(calls).toEqual(['slow']);
    await store.outbox.enqueue('later', user('later'), reply('later'), clock.t);
    worker.kick(); // what the engine does after queuing an alert
    await settled(() => calls.includes('later'));
    expect(calls).toEqual(['slow', 'later']);
    expect(await store.outbox.counts()).toMatchObject({ sent: 1, sending: 1 });
    release();
    expect(await draining).toBe(2);
  });

  it('a kick while the next due time is being read is not lost: the new row goes out at once', async () => {
    const store = await openStore(backend);
    const clock = { t: 1_000_000 };
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const calls: string[] = [];
    const sender: Sender = {
      platform: 'telegram',
      async send(d) {
        calls.push(d.chatId);
        if (d.chatId === 'slow') await hung;
        return { ok: true, messageIds: ['1'] };
      },
    };
    const worker = new OutboxWorker({ store, senders: [sender], log: silentLogger, now: () => clock.t, concurrency: 4, idleMs: 600_000 });
    const read = store.outbox.nextDueByPlatform;
    let queuedDuringRead = false;
    store.outbox.nextDueByPlatform = async () => {
      const due = await read();
      if (!queuedDuringRead) {
        // What the engine does while the worker reads: queue an alert, then kick.
        queuedDuringRead = true;
        await store.outbox.enqueue('later', user('later'), reply('later'), clock.t);
        worker.kick();
      }
      return due;
    };
    await store.outbox.enqueue('slow', user('slow'), reply('slow'), clock.t);
    const draining = worker.drain();
    await settled(() => calls.includes('later'));
    expect(queuedDuringRead).toBe(true);
    expect(calls).toEqual(['slow', 'later']);
    release();
    expect(await draining).toBe(2);
  });

  it('sleeps until a rate limit ends (not 0 ms, which spins) and ignores rows of a platform it has no sender for', async () => {
    const limited = { ok: false as const, permanent: false, reason: '429', retryAfterMs: 30_000 };
    const store = await openStore(backend);
    const clock = { t: 1_000_000 };
    const fake = scriptedSender({ a: [limited] });
    const worker = new OutboxWorker({
      store,
      senders: [fake.sender],
      log: silentLogger,
      now: () => clock.t,
      concurrency: 1,
      idleMs: 60_000,
    });
    for (const k of ['a', 'b', 'c']) await store.outbox.enqueue(k, user(k), reply(k), clock.t);
    await store.outbox.enqueue('d', { platform: 'discord', chatId: 'd', kind: 'user' }, reply('d'), clock.t); // no Discord sender here
    await worker.drain();
    expect(fake.calls.map((c) => c.chatId)).toEqual(['a']);
    expect(await worker.sleepMs()).toBe(30_000); // b and c are due, but Telegram is paused for 30 s
    clock.t += 30_000;
    expect(await worker.sleepMs()).toBe(0);
    expect(await worker.drain()).toBe(3);
    expect(await worker.sleepMs()).toBe(60_000); // only the Discord row is left: nothing to wake for
  });

  it('start() re-queues rows a dead process left in flight once their lease ran out, even when called twice at once, then sends each once', async () => {
    const { store, fake, worker, clock } = await setup(backend);
    for (const k of ['a', 'b', 'c']) await store.outbox.enqueue(k, user(k), reply(k), clock.t);
    expect(await store.outbox.claim(clock.t, 60_000, 10, ['telegram'])).toHaveLength(3); // the process that died
    clock.t += 60_001;
    const releaseExpiredLeases = store.outbox.releaseExpiredLeases;
    let releases = 0;
    store.outbox.releaseExpiredLeases = (nowMs) => {
      releases++;
      return releaseExpiredLeases(nowMs);
    };
    await Promise.all([worker.start(), worker.start()]);
    await settled(async () => (await store.outbox.counts()).sent === 3);
    await worker.stop();
    expect(releases).toBe(1);
    expect(fake.calls.map((c) => c.chatId).sort()).toEqual(['a', 'b', 'c']);
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: 3, failed: 0 });
  });

  it('a pass ends when its last send ends, even one that ends while the next due time is read (no idle wait)', async () => {
    const store = await openStore(backend);
    const clock = { t: 1_000_000 };
    let sends = 0;
    const sender: Sender = {
      platform: 'telegram',
      send: () => {
        sends++;
        return Promise.reject(new Error('socket hang up')); // settles during the pass's next store read
      },
    };
    // Idle wait and backoff of ten minutes: a pass that napped instead of noticing the send had ended would not end in time.
    const worker = new OutboxWorker({
      store,
      senders: [sender],
      log: silentLogger,
      now: () => clock.t,
      idleMs: 600_000,
      baseBackoffMs: 600_000,
    });
    await store.outbox.enqueue('t', user('t'), reply('t'), clock.t);
    const ended = await Promise.race([
      worker.drain().then(() => 'drained'),
      new Promise((r) => setTimeout(() => r('still napping'), 10_000).unref()),
    ]);
    expect(ended).toBe('drained');
    expect(sends).toBe(1);
  });

  it('treats a throwing sender as a transient failure', async () => {
    const { store, worker, clock } = await setup(backend);
    const bad = new OutboxWorker({
      store,
      senders: [{ platform: 'telegram', send: () => Promise.reject(new Error('socket hang up')) }],
      log: silentLogger,
      now: () => clock.t,
    });
    await store.outbox.enqueue('t', user('t'), reply('t'), clock.t);
    expect(await bad.drain()).toBe(0);
    expect((await store.outbox.counts()).pending).toBe(1);
    expect(await worker.drain()).toBe(0); // not due yet (backoff)
  });
});

describe.each(BACKENDS)('OutboxWorker with several instances, on $name', (backend) => {
  const worker = (store: Store, sender: Sender, clock: { t: number }, over: Partial<OutboxWorkerOptions> = {}) =>
    new OutboxWorker({ store, senders: [sender], log: silentLogger, now: () => clock.t, idleMs: 60_000, ...over });
  const outbox = (rows: Inspected['rows']) =>
    rows('SELECT idem_key, status, attempts, lease_until_ms, next_attempt_ms, sent_ms, last_error FROM outbox ORDER BY id');

  it('claims and sends nothing while it may not act (a follower, or a leader that lost its lease)', async () => {
    const store = await openStore(backend);
    const clock = { t: 1_000_000 };
    const fake = scriptedSender();
    for (const k of ['a', 'b']) await store.outbox.enqueue(k, user(k), reply(k), clock.t);
    expect(await worker(store, fake.sender, clock, { mayAct: () => false }).drain()).toBe(0);
    expect(fake.calls).toEqual([]);
    expect(await store.outbox.counts()).toEqual({ pending: 2, sending: 0, sent: 0, failed: 0 });
  });

  it('neither sends nor writes a row it claimed before leadership was lost; the next leader sends it once its lease ends', async () => {
    const { store, rows, close } = await backend.openInspected();
    try {
      const clock = { t: 1_000_000 };
      const fake = scriptedSender();
      await store.outbox.enqueue('a', user('a'), reply('a'), clock.t);
      let leading = true;
      const claim = store.outbox.claim;
      store.outbox.claim = async (...args) => {
        const claimed = await claim(...args);
        leading = false; // the lease on leadership ran out while the claim was on its way back
        return claimed;
      };
      expect(await worker(store, fake.sender, clock, { mayAct: () => leading, leaseMs: 60_000 }).drain()).toBe(0);
      store.outbox.claim = claim;
      expect(fake.calls).toEqual([]);
      const afterClaim = await outbox(rows);
      expect(afterClaim).toEqual([
        expect.objectContaining({ idem_key: 'a', status: 'sending', attempts: 1, lease_until_ms: clock.t + 60_000 }),
      ]);

      const next = worker(store, fake.sender, clock, { mayAct: () => true, leaseMs: 60_000 });
      expect(await next.drain()).toBe(0); // still leased to the old leader
      expect(await outbox(rows)).toEqual(afterClaim);
      clock.t += 60_000;
      expect(await next.drain()).toBe(1);
      expect(fake.calls.map((c) => c.chatId)).toEqual(['a']);
      expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: 1, failed: 0 });
    } finally {
      await close();
    }
  });

  /** Two rows a dead process left 'sending': `expired` past its lease at `clock.t`, `leased` not. */
  async function leftInFlight(store: Store) {
    const clock = { t: 1_000_000 };
    await store.outbox.enqueue('expired', user('expired'), reply('expired'), clock.t);
    expect(await store.outbox.claim(clock.t, 60_000, 10, ['telegram'])).toHaveLength(1);
    await store.outbox.enqueue('leased', user('leased'), reply('leased'), clock.t);
    expect(await store.outbox.claim(clock.t + 30_000, 60_000, 10, ['telegram'])).toHaveLength(1);
    clock.t += 60_000;
    return clock;
  }

  it('as the sole sender re-queues at start every row left in flight, before its lease ends', async () => {
    const store = await openStore(backend);
    const clock = await leftInFlight(store);
    const fake = scriptedSender();
    const w = worker(store, fake.sender, clock, { soleSender: true });
    await w.start();
    await settled(async () => (await store.outbox.counts()).sent === 2);
    await w.stop();
    expect(fake.calls.map((c) => c.chatId).sort()).toEqual(['expired', 'leased']);
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: 2, failed: 0 });
  });

  it('as one sender of several re-queues at start only rows whose lease ended: another live instance may hold the rest', async () => {
    const store = await openStore(backend);
    const clock = await leftInFlight(store);
    const fake = scriptedSender();
    const released: number[] = [];
    const release = store.outbox.releaseExpiredLeases;
    store.outbox.releaseExpiredLeases = async (nowMs) => {
      const n = await release(nowMs);
      released.push(n);
      return n;
    };
    const w = worker(store, fake.sender, clock);
    await w.start();
    await settled(async () => (await store.outbox.counts()).sent === 1);
    await w.stop();
    expect(released).toEqual([1]);
    expect(fake.calls.map((c) => c.chatId)).toEqual(['expired']);
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 1, sent: 1, failed: 0 });
  });
});
