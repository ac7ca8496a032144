import { describe, expect, it } from 'vitest';
import { DigestScheduler, digestCommands, isDue, type DigestRequest } from '../../src/scheduler/digests.ts';
import { digestAction } from '../../src/scheduler/digest-command.ts';
import type { CommandContext } from '../../src/core/command.ts';
import { canonicalTimeZone, localClock, parseTimeOfDay } from '../../src/core/local-time.ts';
import type { Destination } from '../../src/core/delivery.ts';
import type { Reply } from '../../src/core/reply.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';

const digest = async (d: Destination): Promise<Reply> => ({ title: 'Daily digest', lines: [`for ${d.chatId}`], sections: [], footer: ['test'], tone: 'neutral' });

function setup(startMs: number) {
  const store = openStore(':memory:');
  const clock = { t: startMs };
  let builds = 0;
  const build = async (d: Destination) => {
    builds++;
    return digest(d);
  };
  const scheduler = new DigestScheduler({ store, log: silentLogger, now: () => clock.t, buildDigest: build });
  const commands = digestCommands({ store, now: () => clock.t, defaultTime: '14:00', buildDigest: build });
  const group = (admin: boolean, over: Partial<DigestRequest> = {}): DigestRequest => ({
    platform: 'telegram',
    user: { id: '7', name: 'op' },
    chat: { id: '-1001', kind: 'group', isAdmin: async () => admin },
    ...over,
  });
  const queued = () => {
    const rows = store.outbox.claim(Number.MAX_SAFE_INTEGER, 1, 100, ['telegram', 'discord']);
    store.outbox.releaseLeases();
    return rows.map((r) => `${r.idemKey} → ${r.destination.chatId}`);
  };
  return { store, clock, scheduler, commands, group, queued, builds: () => builds };
}

describe('local time', () => {
  it('reads wall-clock time in IANA zones, across DST', () => {
    expect(localClock(Date.UTC(2025, 6, 1, 12, 30), 'Europe/Berlin')).toEqual({ date: '2025-07-01', minutes: 14 * 60 + 30 });
    expect(localClock(Date.UTC(2025, 0, 1, 12, 30), 'Europe/Berlin')).toEqual({ date: '2025-01-01', minutes: 13 * 60 + 30 });
    expect(localClock(Date.UTC(2025, 0, 1, 2), 'America/New_York')).toEqual({ date: '2024-12-31', minutes: 21 * 60 });
    expect(canonicalTimeZone('europe/zurich')).toBe('Europe/Zurich');
    expect(canonicalTimeZone('Mars/Olympus')).toBeUndefined();
    expect(parseTimeOfDay('7:05')).toBe('07:05');
    expect(parseTimeOfDay('14')).toBe('14:00');
    expect(parseTimeOfDay('24:00')).toBeUndefined();
  });

  it('a time skipped by the spring-forward gap is due as soon as the clock passes it', () => {
    // 2025-03-30 in Berlin: 02:00 → 03:00. A 02:30 digest goes out at 03:00 local (01:00 UTC).
    const s = { time: '02:30', timezone: 'Europe/Berlin', lastDate: '2025-03-29' };
    expect(isDue(s, Date.UTC(2025, 2, 30, 0, 59))).toBeUndefined();
    expect(isDue(s, Date.UTC(2025, 2, 30, 1, 0))).toBe('2025-03-30');
  });
});

describe('DigestScheduler', () => {
  it('posts a channel digest at its time in its time zone, once a day', async () => {
    const { commands, group, scheduler, clock, queued, builds } = setup(Date.UTC(2025, 6, 1, 8)); // 10:00 in Berlin
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
    expect(queued()).toEqual(['digest:telegram:-1001:2025-07-01 → -1001', 'digest:telegram:-1001:2025-07-02 → -1001']);
    expect(builds()).toBe(2);
  });

  it('sends a digest missed while down once on start-up if it is still that day there, not a day late', async () => {
    const { store, scheduler, clock, queued } = setup(Date.UTC(2025, 6, 2, 20));
    const base = { platform: 'telegram', kind: 'channel' as const, time: '14:00', timezone: 'UTC', createdBy: '7', createdMs: 0 };
    store.schedules.upsert({ ...base, chatId: '-1', lastDate: '2025-07-01' }); // missed today at 14:00, now 20:00
    store.schedules.upsert({ ...base, chatId: '-2', lastDate: '2025-06-30' }); // missed yesterday too: only today's
    store.schedules.upsert({ ...base, chatId: '-3', lastDate: '2025-07-02' }); // already sent today
    expect(await scheduler.tick()).toBe(2);
    expect(await scheduler.tick()).toBe(0); // a second start-up the same day sends nothing
    expect(queued()).toEqual(['digest:telegram:-1:2025-07-02 → -1', 'digest:telegram:-2:2025-07-02 → -2']);
    clock.t = Date.UTC(2025, 6, 3, 1); // past midnight, before 14:00: yesterday's is not made up
    expect(await scheduler.tick()).toBe(0);
  });

  it('keys a digest by its chat and day: a chat that takes over a removed schedule still gets its own, a re-subscribed chat not twice', async () => {
    const { commands, group, scheduler, clock, queued } = setup(Date.UTC(2025, 6, 1, 8));
    const other = (admin: boolean, over: Partial<DigestRequest> = {}) => group(admin, { chat: { id: '-2002', kind: 'group', isAdmin: async () => admin }, ...over });
    await commands.subscribe(group(true, { time: '09:00' }));
    clock.t = Date.UTC(2025, 6, 1, 9);
    expect(await scheduler.tick()).toBe(1); // -1001 has today's
    expect((await commands.unsubscribe(group(true))).title).toBe('Daily digest stopped');
    // Another chat subscribes for later today; SQLite hands it the removed schedule's id.
    await commands.subscribe(other(true, { time: '12:00' }));
    // The first chat comes back for later today: it already had today's, and is told so.
    const again = await commands.subscribe(group(true, { time: '12:00' }));
    expect(again.lines?.[0]).toBe('The digest will be posted in this chat every day at 12:00 (UTC), starting tomorrow (today’s was already posted here).');
    clock.t = Date.UTC(2025, 6, 1, 12);
    expect(await scheduler.tick()).toBe(1);
    expect(queued()).toEqual(['digest:telegram:-1001:2025-07-01 → -1001', 'digest:telegram:-2002:2025-07-01 → -2002']);
  });

  it('retries next minute when the digest cannot be built', async () => {
    const store = openStore(':memory:');
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
    store.schedules.upsert({ platform: 'discord', chatId: '99', kind: 'channel', time: '14:00', timezone: 'UTC', createdBy: null, lastDate: null, createdMs: 0 });
    expect(await scheduler.tick()).toBe(0);
    fail = false;
    clock.t += 60_000;
    expect(await scheduler.tick()).toBe(1);
  });
});

describe('DigestScheduler when no data at all can be had', () => {
  function failing(startMs: number) {
    const store = openStore(':memory:');
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
    store.schedules.upsert({ platform: 'telegram', chatId: '-5', kind: 'channel', time: '14:00', timezone: 'UTC', createdBy: null, lastDate: null, createdMs: 0 });
    return { store, clock, logs, state, scheduler };
  }

  it('retries with backoff (1, 2, 4 … minutes), not every minute', async () => {
    const { clock, state, scheduler } = failing(Date.UTC(2025, 6, 1, 14));
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
    const { store, clock, logs, state, scheduler } = failing(Date.UTC(2025, 6, 1, 23, 50));
    expect(await scheduler.tick()).toBe(0);
    clock.t = Date.UTC(2025, 6, 2, 0, 5); // the day it was for has ended
    expect(await scheduler.tick()).toBe(0);
    expect(logs.filter((l) => l.msg.startsWith('digest: skipped that day'))).toEqual([expect.objectContaining({ date: '2025-07-01' })]);
    state.fail = false;
    clock.t = Date.UTC(2025, 6, 2, 14);
    expect(await scheduler.tick()).toBe(1);
    const rows = store.outbox.claim(Number.MAX_SAFE_INTEGER, 1, 100, ['telegram']);
    expect(rows.map((r) => r.idemKey)).toEqual(['digest:telegram:-5:2025-07-02']);
  });
});

describe('digest commands', () => {
  it('let only admins schedule in a group', async () => {
    const { commands, group, store } = setup(Date.UTC(2025, 6, 1, 8));
    const denied = await commands.subscribe(group(false));
    expect(denied.title).toBe('Admins only');
    expect(denied.tone).toBe('error');
    expect(store.schedules.active()).toEqual([]);
    expect((await commands.unsubscribe(group(false))).title).toBe('Admins only');
    expect((await commands.subscribe(group(true))).title).toBe('Daily digest scheduled');
  });

  it('validate time and time zone with clear messages, and default to 14:00 UTC', async () => {
    const { commands, group, store } = setup(Date.UTC(2025, 6, 1, 15));
    expect((await commands.subscribe(group(true, { time: '25:00' }))).lines?.[0]).toBe('The time must be HH:MM on a 24-hour clock, e.g. 14:00 or 7:30 (got "25:00").');
    expect((await commands.subscribe(group(true, { timezone: 'Berlin' }))).lines?.[0]).toMatch(/"Berlin" is not a time zone I know. Use an IANA name such as UTC, Europe\/Berlin/);
    const r = await commands.subscribe(group(true));
    expect(r.lines?.[0]).toBe('The digest will be posted in this chat every day at 14:00 (UTC), starting tomorrow.');
    expect(store.schedules.get('telegram', '-1001')).toMatchObject({ time: '14:00', timezone: 'UTC', lastDate: '2025-07-01' });
  });

  it('take the digest by DM from a group without admin rights, and stop it', async () => {
    const { commands, group, store } = setup(Date.UTC(2025, 6, 1, 8));
    const r = await commands.subscribeDm(group(false, { time: '07:30', timezone: 'Asia/Tokyo' }));
    expect(r.lines?.[0]).toBe('The digest will be posted to you by direct message every day at 07:30 (Asia/Tokyo), starting tomorrow.');
    expect(store.schedules.get('telegram', '7')).toMatchObject({ kind: 'user' });
    expect((await commands.unsubscribe({ platform: 'telegram', user: { id: '7' }, chat: { id: '7', kind: 'private', isAdmin: async () => true } })).title).toBe('Daily digest stopped');
    expect(store.schedules.active()).toEqual([]);
  });

  it('read the zone first as meant, and say which zone an abbreviation became', async () => {
    const { commands, store } = setup(Date.UTC(2025, 6, 1, 8));
    const ctx = (admin: boolean) =>
      ({ platform: 'telegram', user: { platform: 'telegram', id: '7' }, chat: { id: '-1001', kind: 'group', isAdmin: async () => admin }, services: { digests: commands } }) as unknown as CommandContext;
    const show = async (): Promise<Reply> => ({ title: 'digest', sections: [], footer: [], tone: 'neutral' });
    const zoneOnly = await digestAction(ctx(true), { action: 'subscribe', time: 'Europe/Berlin' }, show);
    expect(zoneOnly.lines?.[0]).toBe('The digest will be posted in this chat every day at 14:00 (Europe/Berlin), starting today.');
    const swapped = await digestAction(ctx(true), { action: 'subscribe', time: 'Asia/Tokyo', timezone: '7:30' }, show);
    expect(swapped.lines?.[0]).toBe('The digest will be posted in this chat every day at 07:30 (Asia/Tokyo), starting tomorrow.');
    const longTime = await digestAction(ctx(true), { action: 'subscribe', time: '14:00:00' }, show);
    expect(longTime.lines?.[0]).toBe('The time must be HH:MM on a 24-hour clock, e.g. 14:00 or 7:30 (got "14:00:00").');
    const est = await commands.subscribe({ platform: 'telegram', user: { id: '7' }, chat: { id: '-1001', kind: 'group', isAdmin: async () => true }, time: '09:00', timezone: 'EST' });
    const zone = store.schedules.get('telegram', '-1001')!.timezone;
    expect(est.lines?.[1]).toBe(`"EST" is read as ${zone}. If you meant another place, subscribe again with its IANA name, e.g. America/New_York or Europe/London.`);
  });

  it('can be taken at the terminal prompt (printed there), not from a one-shot shell command', async () => {
    const { commands, store } = setup(Date.UTC(2025, 6, 1, 8));
    const show = async (): Promise<Reply> => ({ title: 'digest', sections: [], footer: [], tone: 'neutral' });
    const at = (platform: 'console' | 'cli') =>
      ({ platform, user: platform === 'console' ? { platform, id: 'local' } : undefined, chat: platform === 'console' ? { id: 'local', kind: 'private', isAdmin: async () => true } : undefined, services: { digests: commands } }) as unknown as CommandContext;
    expect((await digestAction(at('console'), { action: 'dm', time: '08:00' }, show)).title).toBe('Daily digest scheduled');
    expect(store.schedules.get('console', 'local')).toMatchObject({ kind: 'user', time: '08:00' });
    expect((await digestAction(at('cli'), { action: 'dm' }, show)).lines?.[0]).toMatch(/running terminal bot \(npm start\)/);
  });

  it('let a member who is not an admin stop their own DM digest from a group, and nothing else', async () => {
    const { commands, group, store } = setup(Date.UTC(2025, 6, 1, 8));
    await commands.subscribe(group(true));
    await commands.subscribeDm(group(false));
    const r = await commands.unsubscribe(group(false));
    expect(r.lines).toEqual(['Your direct-message digest is stopped. (Only chat admins can stop this chat’s digest.)']);
    expect(store.schedules.active().map((x) => x.chatId)).toEqual(['-1001']);
    const again = await commands.unsubscribe(group(false));
    expect(again.title).toBe('Admins only');
    expect(again.lines?.[0]).toBe('Only chat admins can stop the digest in this group, and you have no direct-message digest to stop.');
  });

  it('preview shows the digest with a note about the schedule', async () => {
    const { commands, group } = setup(Date.UTC(2025, 6, 1, 8));
    expect((await commands.preview(group(false))).lines?.[0]).toBe('Preview: schedule it here with /digest subscribe [HH:MM] [time zone].');
    await commands.subscribe(group(true, { time: '09:15' }));
    expect((await commands.preview(group(false))).lines).toEqual(['Preview: this is posted here daily at 09:15 (UTC).', 'for -1001']);
  });
});
