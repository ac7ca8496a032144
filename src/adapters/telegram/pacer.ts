/**
 * Send pacing under Telegram's limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this):
 * about 1 message per second in a chat, 20 per minute in a group, 30 per second overall.
 * A chat waits for its own gate first and only then takes a global slot, so one busy group never
 * holds up everyone else.
 */

/** A per-chat GCRA gate (a leaky bucket that allows a short burst): the FAQ allows short bursts in a chat. */
interface Rate {
  intervalMs: number;
  burst: number;
}

/** At most `messages` sends in any window of `windowMs`. */
interface Window {
  messages: number;
  windowMs: number;
}

export interface PacingLimits {
  privateChat: Rate;
  group: Rate;
  global: Window;
}

export const TELEGRAM_LIMITS: PacingLimits = {
  privateChat: { intervalMs: 1000, burst: 3 },
  group: { intervalMs: 3000, burst: 3 },
  global: { messages: 30, windowMs: 1000 },
};

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Call once the request has been answered (or has failed); it frees the global slot a window later. */
export type Release = () => void;

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

/**
 * The global limit as the server counts it: any window of `windowMs` holds at most `messages`.
 * A slot is counted from the moment Telegram ANSWERED, not from when we asked: the server saw the
 * request no later than that, so a new request sent a full window after the answer can never fall
 * into the same server-side window, whatever the network delays. Fixed spacing a little under the
 * rate alone (the old scheme) both wasted ~7 % and still drew 429s when latency jitter bunched
 * requests; now the spacing is exactly the rate and this window is the guarantee.
 */
class SlidingWindow {
  /** When each recent send was answered, oldest first. */
  private readonly answered: number[] = [];
  private inFlight = 0;
  private wakeOnAnswer: (() => void) | undefined;
  /** Turns are taken one at a time, in arrival order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly limit: Window,
    private readonly clock: Clock,
  ) {}

  take(wait: (ms: number) => Promise<boolean>, closed: () => boolean): Promise<Release | undefined> {
    const turn = this.queue.then(async (): Promise<Release | undefined> => {
      for (;;) {
        if (closed()) return undefined;
        const now = this.clock.now();
        while (this.answered.length && this.answered[0]! <= now - this.limit.windowMs) this.answered.shift();
        if (this.inFlight + this.answered.length < this.limit.messages) break;
        if (this.answered.length) {
          if (!(await wait(this.answered[0]! + this.limit.windowMs - now))) return undefined;
        } else {
          // Every slot is a request still in flight: its answer starts the window.
          await new Promise<void>((resolve) => (this.wakeOnAnswer = resolve));
        }
      }
      this.inFlight++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.answered.push(this.clock.now());
        this.wakeOnAnswer?.();
        this.wakeOnAnswer = undefined;
      };
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Unblocks a turn waiting for an answer (at shutdown). */
  wake(): void {
    this.wakeOnAnswer?.();
    this.wakeOnAnswer = undefined;
  }
}

const PRUNE_ABOVE = 5_000;

export class Pacer {
  private readonly chats = new Map<string, Gate>();
  private readonly global: SlidingWindow;
  /**
   * Sends spread evenly at the global rate: a burst of 30 requests at once answers slowly (30 new
   * connections), and every millisecond of answer time is a millisecond the window stays closed.
   */
  private readonly spacing: Gate;
  private closed = false;
  private readonly closing: Promise<void>;
  private onClose!: () => void;

  constructor(
    private readonly limits: PacingLimits = TELEGRAM_LIMITS,
    private readonly clock: Clock = realClock,
  ) {
    this.global = new SlidingWindow(limits.global, clock);
    this.spacing = new Gate({ intervalMs: limits.global.windowMs / limits.global.messages, burst: 1 });
    this.closing = new Promise((resolve) => (this.onClose = resolve));
  }

  /**
   * Resolves when a message to this chat may be sent, with the function to call once Telegram has
   * answered; resolves undefined once the pacer is closed (shutting down): send nothing then.
   */
  async acquire(chatId: string): Promise<Release | undefined> {
    const chatAt = this.gateFor(chatId).reserve(this.clock.now());
    if (!(await this.waitUntil(chatAt))) return undefined;
    if (!(await this.waitUntil(this.spacing.reserve(this.clock.now())))) return undefined;
    return this.global.take(
      (ms) => this.sleep(ms),
      () => this.closed,
    );
  }

  /** Telegram said "retry after": nothing more goes to this chat for `waitMs`. */
  holdChat(chatId: string, waitMs: number): void {
    this.gateFor(chatId).holdUntil(this.clock.now() + waitMs);
  }

  /** Every waiting and future acquire resolves undefined at once. */
  close(): void {
    this.closed = true;
    this.onClose();
    this.global.wake();
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

  /** False when the pacer closed during the wait. */
  private async waitUntil(time: number): Promise<boolean> {
    return this.sleep(time - this.clock.now());
  }

  private async sleep(ms: number): Promise<boolean> {
    if (this.closed) return false;
    if (ms > 0) await Promise.race([this.clock.sleep(ms), this.closing]);
    return !this.closed;
  }
}
