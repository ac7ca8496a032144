import { describe, expect, it } from 'vitest';
import { DigestScheduler, isDue } from '../../src/digests/schedule.ts';
import type { DigestRequest } from '../../src/core/services.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { BACKENDS } from '../support/backends.ts';
import { digest, openStore, setup } from './setup.ts';

describe('isDue', () => {
  it('a time skipped by the spring-forward gap is due as soon as the clock passes it', () => {
    // 2025-03-30 in Berlin: 02:00 → 03:00. A 02:30 digest goes out at 03:00 local (01:00 UTC).
    const s = { time: '02:30', timezone: 'Europe/Berlin', lastDate: '2025-03-29' };
    expect(isDue(s, Date.UTC(2025, 2, 30, 0, 59))).toBeUndefined();
    expect(isDue(s, Date.UTC(2025, 2, 30, 1, 0))).toBe('2025-03-30');
  });
});

describe.each(BACKENDS)('DigestScheduler on $name', (backend) => {
  it('posts a channel digest at its time in its time zone, once a day', async () => {
    const { commands, group, scheduler, clock, queued, builds } = await setup(backend, Date.UTC(2025, 6, 1, 8)); // 10:00 in Berlin
    const r = await commands.subscribe(group(true, { time: '14:00', timezone: 'Europe/Berlin' }));
    expect(r.lines?.[0]).toBe('The digest will be posted in this chat every day at 14:00 (Europe/Berlin), starting today.');
    clock.t = Date.UTC(2025, 6, 1, 11, 59); // 13:59 Berlin
    expect(await scheduler.tick()).toBe(0);
    clock.t = Date.UTC(2025, 6, 1, 12, 0); // 14:00 Berlin
    expect(await scheduler.tick()).toBe(1);
    clock.t += 60_000;
    expect(await scheduler.tick()).toBe(0);
    clock.t = Date.UTC(2025, 6, 2, 12, 0);
    expect(await scheduler.tick()).toBe(1);
    expect(await queued()).toEqual(['digest:telegram:-1001:2025-07-01 → -1001', 'digest:telegram:-1001:2025-07-02 → -1001']);
    expect(builds()).toBe(2);
  });

  it('sends a digest missed while down once on start-up if it is still that day there, not a day late', async () => {
    const { store, scheduler, clock, queued } = await setup(backend, Date.UTC(2025, 6, 2, 20));
    const base = { platform: 'telegram', kind: 'channel' as const, time: '14:00', timezone: 'UTC', createdBy: '7', createdMs: 0 };
    await store.schedules.upsert({ ...base, chatId: '-1', lastDate: '2025-07-01' }); // missed today at 14:00, now 20:00
    await store.schedules.upsert({ ...base, chatId: '-2', lastDate: '2025-06-30' }); // missed yesterday too: only today's
    await store.schedules.upsert({ ...base, chatId: '-3', lastDate: '2025-07-02' }); // already sent today
    expect(await scheduler.tick()).toBe(2);
    expect(await scheduler.tick()).toBe(0); // a second start-up the same day sends nothing
    expect(await queued()).toEqual(['digest:telegram:-1:2025-07-02 → -1', 'digest:telegram:-2:2025-07-02 → -2']);
    clock.t = Date.UTC(2025, 6, 3, 1); // past midnight, before 14:00: yesterday's is not made up
    expect(await scheduler.tick()).toBe(0);
  });

  it('keys a digest by its chat and day: a chat that takes over a removed schedule still gets its own, a re-subscribed chat not twice', async () => {
    const { commands, group, scheduler, clock, queued } = await setup(backend, Date.UTC(2025, 6, 1, 8));
    const other = (admin: boolean, over: Partial<DigestRequest> = {}) =>
      group(admin, { chat: { id: '-2002', kind: 'group', isAdmin: async () => admin }, ...over });
    await commands.subscribe(group(true, { time: '09:00' }));
    clock.t = Date.UTC(2025, 6, 1, 9);
    expect(await scheduler.tick()).toBe(1); // -1001 has today's
    expect((await commands.unsubscribe(group(true))).title).toBe('Daily digest stopped');
    // Another chat subscribes for later today; SQLite hands it the removed schedule's id.
    await commands.subscribe(other(true, { time: '12:00' }));
    // The first chat comes back for later today: it already had today's, and is told so.
    const again = await commands.subscribe(group(true, { time: '12:00' }));
    expect(again.lines?.[0]).toBe(
      'The digest will be posted in this chat every day at 12:00 (UTC), starting tomorrow (today’s was already posted here).',
    );
    clock.t = Date.UTC(2025, 6, 1, 12);
    expect(await scheduler.tick()).toBe(1);
    expect(await queued()).toEqual(['digest:telegram:-1001:2025-07-01 → -1001', 'digest:telegram:-2002:2025-07-01 → -2002']);
  });

  it('retries next minute when the digest cannot be built', async () => {
    const store = await openStore(backend);
    let fail = true;
    const clock = { t: Date.UTC(2025, 6, 1, 15) };
    const scheduler = new DigestScheduler({
      store,
      log: silentLogger,
      now: () => clock.t,
      buildDigest: async (d) => {
        if (fail) throw new Error('mempool down');
        return digest(d);
      },
    });
    await store.schedules.upsert({
      platform: 'discord',
      chatId: '99',
      kind: 'channel',
      time: '14:00',
      timezone: 'UTC',
      createdBy: null,
      lastDate: null,
      createdMs: 0,
    });
    expect(await scheduler.tick()).toBe(0);
    fail = false;
    clock.t += 60_000;
    expect(await scheduler.tick()).toBe(1);
  });
});

describe.each(BACKENDS)('DigestScheduler when no data at all can be had, on $name', (backend) => {
  async function failing(startMs: number) {
    const store = await openStore(backend);
    const clock = { t: startMs };
    const logs: { msg: string; date?: string }[] = [];
    const log = createLogger({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const state = { fail: true, builds: 0 };
    const scheduler = new DigestScheduler({
      store,
      log,
      now: () => clock.t,
      buildDigest: async (d) => {
        state.builds++;
        if (state.fail) throw new Error('no data could be had');
        return digest(d);
      },
    });
    await store.schedules.upsert({
      platform: 'telegram',
      chatId: '-5',
      kind: 'channel',
      time: '14:00',
      timezone: 'UTC',
      createdBy: null,
      lastDate: null,
      createdMs: 0,
    });
    return { store, clock, logs, state, scheduler };
  }

  it('retries with backoff (1, 2, 4 … minutes), not every minute', async () => {
    const { clock, state, scheduler } = await failing(Date.UTC(2025, 6, 1, 14));
    const t0 = clock.t;
    const triedAt: number[] = [];
    for (let minute = 0; minute <= 20; minute++) {
      clock.t = t0 + minute * 60_000;
      const before = state.builds;
      await scheduler.tick();
      if (state.builds > before) triedAt.push(minute);
    }
    // Tries at 0, then after waits of 1, 2, 4 and 8 minutes: 1, 3, 7, 15. The old scheduler tried 21 times.
    expect(triedAt).toEqual([0, 1, 3, 7, 15]);
    state.fail = false;
    clock.t = t0 + 31 * 60_000; // 15 + 16
    expect(await scheduler.tick()).toBe(1);
  });

  it('skips a day that ended without its digest, with a log line, and posts the next day as usual', async () => {
    const { store, clock, logs, state, scheduler } = await failing(Date.UTC(2025, 6, 1, 23, 50));
    expect(await scheduler.tick()).toBe(0);
    clock.t = Date.UTC(2025, 6, 2, 0, 5); // the day it was for has ended
    expect(await scheduler.tick()).toBe(0);
    expect(logs.filter((l) => l.msg.startsWith('digest: skipped that day'))).toEqual([expect.objectContaining({ date: '2025-07-01' })]);
    state.fail = false;
    clock.t = Date.UTC(2025, 6, 2, 14);
    expect(await scheduler.tick()).toBe(1);
    const rows = await store.outbox.claim(Number.MAX_SAFE_INTEGER, 1, 100, ['telegram']);
    expect(rows.map((r) => r.idemKey)).toEqual(['digest:telegram:-5:2025-07-02']);
  });
});
