/** Send pacing with an injected clock: bursts, steady rates, "retry after" holds, fairness. */
import { describe, expect, it } from 'vitest';
import { Pacer, TELEGRAM_LIMITS, type Clock } from '../../src/adapters/telegram/pacer.ts';

function fakeClock(): Clock & { t: number } {
  const c = {
    t: 1_000_000,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

async function sendTimes(pacer: Pacer, clock: { t: number }, chats: string[]): Promise<number[]> {
  const times: number[] = [];
  for (const chat of chats) {
    const release = await pacer.acquire(chat);
    times.push(clock.t);
    release!(); // answered at once
  }
  return times;
}

describe('Pacer', () => {
  it('lets a private chat burst 3 messages, then 1 per second', async () => {
    const clock = fakeClock();
    const start = clock.t;
    const times = await sendTimes(new Pacer(TELEGRAM_LIMITS, clock), clock, Array(6).fill('42'));
    // The burst of 3 goes at once (the global window has room); then the chat's 1 per second.
    // (Was spaced 1000/28 ms apart by the old fixed global spacing, which this change replaces.)
    expect(times.map((t) => t - start)).toEqual([0, 0, 0, 1000, 2000, 3000]);
  });

  it('keeps a group at about 20 per minute', async () => {
    const clock = fakeClock();
    const start = clock.t;
    const times = await sendTimes(new Pacer(TELEGRAM_LIMITS, clock), clock, Array(23).fill('-100123'));
    const inFirstMinute = times.filter((t) => t - start < 60_000).length;
    expect(inFirstMinute).toBeLessThanOrEqual(22); // burst of 3 + 19 steady slots at 3 s
    expect(times.at(-1)! - start).toBe(60_000);
  });

  it('caps the whole bot at 30 messages per second across chats', async () => {
    const clock = fakeClock();
    const start = clock.t;
    const chats = Array.from({ length: 90 }, (_, i) => String(i + 1));
    const times = await sendTimes(new Pacer(TELEGRAM_LIMITS, clock), clock, chats);
    // The stand-in's window: the sends in (t - 1000, t] for every send time t.
    const windowCounts = times.map((t) => times.filter((u) => u > t - 1000 && u <= t).length);
    // No one-second window may hold more than Telegram's 30, and the rate is used in full:
    // 90 sends = 30 at +0 s, 30 at +1 s, 30 at +2 s (was ≥ 3.1 s with the old 28/s spacing).
    expect(Math.max(...windowCounts)).toBe(30);
    expect(times.at(-1)! - start).toBe(2000);
  });

  it('holds a chat for retry_after without holding other chats', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(TELEGRAM_LIMITS, clock);
    const start = clock.t;
    pacer.holdChat('7', 5000);
    (await pacer.acquire('8'))!();
    expect(clock.t).toBe(start);
    (await pacer.acquire('7'))!();
    expect(clock.t - start).toBe(5000);
  });

  it('a group waiting its turn does not delay a private chat', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(TELEGRAM_LIMITS, clock);
    await sendTimes(pacer, clock, Array(3).fill('-5'));
    const before = clock.t;
    (await pacer.acquire('9'))!();
    // The global window has room, and the group's 3 s spacing is the group's alone.
    expect(clock.t - before).toBe(0);
  });

  it('counts a global slot from when Telegram answered, so a slow answer cannot squeeze the next window', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ ...TELEGRAM_LIMITS, global: { messages: 2, windowMs: 1000 } }, clock);
    const start = clock.t;
    const first = (await pacer.acquire('1'))!;
    const second = (await pacer.acquire('2'))!;
    clock.t += 300; // the server took 300 ms to answer both
    first();
    second();
    // Asked at +0 ms, answered at +300 ms: the server may have counted them as late as +300 ms, so the
    // third send waits until +1300 ms (a window from the ask, +1000 ms, could land in the same window).
    (await pacer.acquire('3'))!();
    expect(clock.t - start).toBe(1300);
  });

  it('waits for an answer when every slot is still in flight', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ ...TELEGRAM_LIMITS, global: { messages: 1, windowMs: 1000 } }, clock);
    const start = clock.t;
    const first = (await pacer.acquire('1'))!;
    let second: number | undefined;
    const waiting = pacer.acquire('2').then((release) => {
      second = clock.t;
      release!();
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(second).toBeUndefined(); // nothing answered yet: no slot
    clock.t += 50;
    first();
    await waiting;
    expect(second! - start).toBe(1050);
  });

  it('once closed, lets waiting and new sends through as "do not send"', async () => {
    const clock = { now: () => Date.now(), sleep: () => new Promise<void>(() => undefined) }; // a wait that never ends
    const pacer = new Pacer(TELEGRAM_LIMITS, clock);
    await Promise.all([pacer.acquire('5'), pacer.acquire('5'), pacer.acquire('5')]); // the chat's burst
    const waiting = pacer.acquire('5'); // would wait a second for the chat's gate
    pacer.close();
    expect(await waiting).toBeUndefined();
    expect(await pacer.acquire('6')).toBeUndefined();
  });
});
