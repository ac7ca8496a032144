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
    await pacer.acquire(chat);
    times.push(clock.t);
  }
  return times;
}

describe('Pacer', () => {
  it('lets a private chat burst 3 messages, then 1 per second', async () => {
    const clock = fakeClock();
    const start = clock.t;
    const times = await sendTimes(new Pacer(TELEGRAM_LIMITS, clock), clock, Array(6).fill('42'));
    // The burst of 3 is spaced only by the global slot (1000/28 ms); then the chat's 1 per second.
    expect(times.map((t) => t - start)).toEqual([0, 1000 / 28, 2000 / 28, 1000, 2000, 3000].map((t) => expect.closeTo(t, 6)));
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
    const windowCounts = times.map((t) => times.filter((u) => u >= t && u < t + 1000).length);
    // No one-second window may hold more than Telegram's 30; 90 sends spaced 1000/28 ms take ≥ 3.1 s.
    expect(Math.max(...windowCounts)).toBeLessThanOrEqual(30);
    expect(times.at(-1)! - start).toBeGreaterThanOrEqual(3100);
  });

  it('holds a chat for retry_after without holding other chats', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(TELEGRAM_LIMITS, clock);
    const start = clock.t;
    pacer.holdChat('7', 5000);
    await pacer.acquire('8');
    expect(clock.t).toBe(start);
    await pacer.acquire('7');
    expect(clock.t - start).toBe(5000);
  });

  it('a group waiting its turn does not delay a private chat', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(TELEGRAM_LIMITS, clock);
    await sendTimes(pacer, clock, Array(3).fill('-5'));
    const before = clock.t;
    await pacer.acquire('9');
    // Only the next global slot, never the group's 3 s spacing.
    expect(clock.t - before).toBeLessThanOrEqual(1000 / 28 + 1e-6);
  });
});
