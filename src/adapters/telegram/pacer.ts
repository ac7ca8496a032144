/**
 * Send pacing under Telegram's limits: about 1 message per second in a chat, about 20 per minute in
 * a group, about 30 per second overall. Each limit is a GCRA gate (a leaky bucket that allows a
 * short burst); a chat waits for its own gate first and only then takes a global slot, so one busy
 * group never holds up everyone else.
 */

export interface Rate {
  intervalMs: number;
  burst: number;
}

export interface PacingLimits {
  privateChat: Rate;
  group: Rate;
  global: Rate;
}

export const TELEGRAM_LIMITS: PacingLimits = {
  privateChat: { intervalMs: 1000, burst: 3 },
  group: { intervalMs: 3000, burst: 3 },
  // Strict spacing a little under 30/s: Telegram counts any one-second window, so a burst of 30
  // on top of the steady rate draws 429s (measured in npm run bench against a strict stand-in).
  global: { intervalMs: 1000 / 28, burst: 1 },
};

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

class Gate {
  /** Theoretical arrival time of the next message. */
  private tat = 0;
  constructor(private readonly rate: Rate) {}

  /** Books the earliest permitted send time at or after `now`. */
  reserve(now: number): number {
    const tolerance = (this.rate.burst - 1) * this.rate.intervalMs;
    const at = Math.max(now, this.tat - tolerance);
    this.tat = Math.max(this.tat, at) + this.rate.intervalMs;
    return at;
  }

  holdUntil(time: number): void {
    const tolerance = (this.rate.burst - 1) * this.rate.intervalMs;
    this.tat = Math.max(this.tat, time + tolerance);
  }

  idleAt(now: number): boolean {
    return this.tat <= now;
  }
}

const PRUNE_ABOVE = 5_000;

export class Pacer {
  private readonly chats = new Map<string, Gate>();
  private readonly global: Gate;

  constructor(
    private readonly limits: PacingLimits = TELEGRAM_LIMITS,
    private readonly clock: Clock = realClock,
  ) {
    this.global = new Gate(limits.global);
  }

  /** Resolves when a message to this chat may be sent. */
  async acquire(chatId: string): Promise<void> {
    const chatAt = this.gateFor(chatId).reserve(this.clock.now());
    await this.waitUntil(chatAt);
    await this.waitUntil(this.global.reserve(this.clock.now()));
  }

  /** Telegram said "retry after": nothing more goes to this chat for `waitMs`. */
  holdChat(chatId: string, waitMs: number): void {
    this.gateFor(chatId).holdUntil(this.clock.now() + waitMs);
  }

  private gateFor(chatId: string): Gate {
    let gate = this.chats.get(chatId);
    if (!gate) {
      if (this.chats.size > PRUNE_ABOVE) this.prune();
      // Negative ids are groups, supergroups and channels.
      gate = new Gate(chatId.startsWith('-') ? this.limits.group : this.limits.privateChat);
      this.chats.set(chatId, gate);
    }
    return gate;
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [id, gate] of this.chats) if (gate.idleAt(now)) this.chats.delete(id);
  }

  private async waitUntil(time: number): Promise<void> {
    const wait = time - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
  }
}
