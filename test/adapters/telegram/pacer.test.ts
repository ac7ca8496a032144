/** Send pacing with an injected clock: bursts, steady rates, "retry after" holds, fairness. */
import { describe, expect, it } from 'vitest';
import { Pacer, TELEGRAM_LIMITS, type Clock } from '../../../src/adapters/telegram/pacer.ts';

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
    // The burst of 3 is spaced only by the global rate (1000/30 ms; was 1000/28 ms); then the chat's 1 per second.
    expect(times.map((t) => t - start)).toEqual([0, 1000 / 30, 2000 / 30, 1000, 2000, 3000].map((t) => expect.closeTo(t, 6)));
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
    // 90 sends 1000/30 ms apart, the last at 89 × 1000/30 = 2966.7 ms (was ≥ 3.1 s at the old 28/s).
    expect(Math.max(...windowCounts)).toBe(30);
    expect(times.at(-1)! - start).toBeCloseTo(2966.67, 1);
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
    // Only the next global slot, never the group's 3 s spacing.
    expect(clock.t - before).toBeLessThanOrEqual(1000 / 30 + 1e-6);
  });

  it('counts a global slot from when Telegram answered, so a slow answer cannot squeeze the next window', async () => {
    const clock = fakeClock();
    const pacer = new Pacer({ ...TELEGRAM_LIMITS, global: { messages: 2, windowMs: 1000 } }, clock);
    const start = clock.t;
    const first = (await pacer.acquire('1'))!; // +0 ms
    const second = (await pacer.acquire('2'))!; // +500 ms (2 per second, spread evenly)
    clock.t += 300; // the server took until +800 ms to answer both
    first();
    second();
    // The server may have counted the first as late as +800 ms, so the third send waits until
    // +1800 ms; a window from the ask (+1000 ms) could land in the server's window of the first.
    (await pacer.acquire('3'))!();
    expect(clock.t - start).toBe(1800);
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
    clock.t += 50; // answered at +1050 ms (the second had waited its 1 s spacing until +1000 ms)
    first();
    await waiting;
    expect(second! - start).toBe(2050);
  });

  it('once closed, lets waiting and new sends through as "do not send"', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(TELEGRAM_LIMITS, clock);
    await sendTimes(pacer, clock, ['5', '5', '5']); // the chat's burst
    clock.sleep = () => new Promise<void>(() => undefined); // from now on a wait never ends by itself
    const waiting = pacer.acquire('5'); // would wait a second for the chat's gate
    pacer.close();
    expect(await waiting).toBeUndefined();
    expect(await pacer.acquire('6')).toBeUndefined();
  });
});
