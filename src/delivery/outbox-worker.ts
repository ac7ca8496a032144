/**
 * Sends what the outbox holds. Rows are leased ('sending') before the send and marked sent after
 * it, so a crash in between re-sends only those rows. Concurrency is bounded here; pacing under each
 * platform's limits is the Sender's job. A 429 pauses the whole platform for retry_after; transient
 * failures back off exponentially; a permanent failure (blocked, kicked, chat gone) disables that
 * destination's rules and schedules and fails its queued rows, while every other destination goes on.
 */
import type { Logger } from 'pino';
import type { Destination, Sender } from '../core/delivery.ts';
import type { OutboxRow, Store, StoreRepos } from '../store/index.ts';

export interface OutboxWorkerOptions {
  store: Store;
  senders: readonly Sender[];
  log: Logger;
  now?: () => number;
  /** Sends in flight at once, over all platforms. */
  concurrency?: number;
  /**
   * How long a row may stay 'sending' before another process may take it (the send of a process
   * that died). Longer than any one send (each platform call has a 10 s deadline), so a live sender
   * is never overtaken.
   */
  leaseMs?: number;
  /**
   * This process is the only one that sends (the SQLite store): rows left 'sending' at start-up were
   * a dead run's, so they are due again at once instead of after their lease.
   */
  soleSender?: boolean;
  /**
   * Whether this process may still send (it leads: src/cluster). Asked right before every claim and
   * every send, so a leader that lost its lease (paused, cut off) sends nothing more; rows it had
   * claimed wait out their lease and go to the next leader.
   */
  mayAct?: () => boolean;
  /** Transient failures before a row is given up (and logged as an error). */
  maxAttempts?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longest sleep when nothing is due, so rows queued by another process are noticed. */
  idleMs?: number;
  /** A destination was disabled (permanent failure): e.g. stop evaluating its rules. Awaited when it returns a promise. */
  onDisabled?: (destination: Destination, reason: string) => void | Promise<void>;
}

export class OutboxWorker {
  private readonly senders = new Map<string, Sender>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly now: () => number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly idleMs: number;
  private loop: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  /**
   * Counts kick() calls. A kick that arrives mid-pass, or while the next due time is being read
   * (before a nap can be woken), skips that sleep so the new rows go out at once.
   */
  private kicks = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: OutboxWorkerOptions) {
    for (const s of opts.senders) this.senders.set(s.platform, s);
    this.now = opts.now ?? Date.now;
    this.concurrency = opts.concurrency ?? 8;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.baseBackoffMs = opts.baseBackoffMs ?? 2_000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10 * 60_000;
    this.idleMs = opts.idleMs ?? 1_000;
  }

  /**
   * Rows a dead process left 'sending' become due again; then sending runs until stop(). Resolves
   * once the loop runs; a second call while the first is under way shares it, so leases are never
   * released under a loop that already claimed rows.
   */
  start(): Promise<void> {
    this.starting ??= this.begin().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async begin(): Promise<void> {
    if (this.loop) return;
    const released = await this.opts.store.outbox.releaseExpiredLeases(this.opts.soleSender ? Number.MAX_SAFE_INTEGER : this.now());
    if (released) this.opts.log.warn({ released }, 'outbox: re-queued messages that were in flight when the last process stopped');
    this.stopping = false;
    this.loop = this.run();
  }

  /** Something was queued: send now instead of at the next idle tick. */
  kick(): void {
    this.kicks++;
    this.wake?.();
  }

  async stop(): Promise<void> {
    await this.starting;
    this.stopping = true;
    this.kick();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const seen = this.kicks;
      try {
        await this.drain();
      } catch (err) {
        this.opts.log.error({ err }, 'outbox: delivery pass failed; retrying');
      }
      if (this.stopping) break;
      if (this.kicks !== seen) continue;
      let wait = this.idleMs;
      try {
        wait = await this.sleepMs();
      } catch (err) {
        // A failed read here would reject the loop nobody awaits and end the process.
        this.opts.log.error({ err }, 'outbox: could not read the next due time; retrying');
      }
      if (this.kicks !== seen || this.stopping) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, wait);
      });
      clearTimeout(this.timer);
      this.wake = undefined;
    }
  }

  /**
   * How long to sleep before the next pass: until the earliest row that could be sent then, at most
   * idleMs. Rows of a platform paused by a 429 count from the end of the pause, and rows of a
   * platform without a sender (its token was removed) not at all: either would otherwise make the
   * sleep 0 and the loop spin until the pause ends, or forever.
   */
  async sleepMs(): Promise<number> {
    const dueBy = await this.opts.store.outbox.nextDueByPlatform();
    const now = this.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [platform, due] of dueBy) {
      if (!this.senders.has(platform)) continue;
      next = Math.min(next, Math.max(due, this.pausedUntil.get(platform) ?? 0));
    }
    return Math.max(0, Math.min(this.idleMs, next - now));
  }

  private mayAct(): boolean {
    return this.opts.mayAct?.() ?? true;
  }

  private platformsOpen(): string[] {
    const now = this.now();
    return [...this.senders.keys()].filter((p) => (this.pausedUntil.get(p) ?? 0) <= now);
  }

  /**
   * Sends every row due now (bounded concurrency) and resolves when none is left in flight. While
   * sends are in flight and slots are free it keeps looking for new rows (on a kick, or after the
   * idle interval): one slow or hung send must not hold back alerts queued after it.
   */
  async drain(): Promise<number> {
    const running = new Set<Promise<void>>();
    let sent = 0;
    for (;;) {
      const free = this.concurrency - running.size;
      const rows =
        free > 0 && !this.stopping && this.mayAct()
          ? await this.opts.store.outbox.claim(this.now(), this.leaseMs, free, this.platformsOpen())
          : [];
      for (const row of rows) {
        const p: Promise<void> = this.deliver(row)
          .then(
            (ok) => {
              if (ok) sent++;
            },
            (err: unknown) => {
              // Bookkeeping failed after the send (e.g. the disk is full): the row stays leased and
              // is sent again after a restart. Logged, never allowed to stall the other sends.
              this.opts.log.error({ err, outboxId: row.id }, 'outbox: could not record a delivery result');
            },
          )
          .finally(() => running.delete(p));
        running.add(p);
      }
      if (running.size === 0) return sent;
      if (running.size >= this.concurrency || this.stopping) {
        await Promise.race(running);
      } else if (rows.length === 0) {
        // The sends in flight before the read: one that ends while the next due time is being read
        // must still end the nap (a send already settled ends it at once).
        const inFlight = [...running];
        const seen = this.kicks;
        const wait = await this.sleepMs();
        if (this.kicks !== seen) continue;
        const nap = this.nap(wait);
        await Promise.race([...inFlight, nap.done]);
        nap.cancel();
      }
    }
  }

  /** Sleeps up to ms, or until kick(). */
  private nap(ms: number): { done: Promise<void>; cancel(): void } {
    let timer: NodeJS.Timeout | undefined;
    let wake!: () => void;
    const done = new Promise<void>((resolve) => {
      wake = () => {
        clearTimeout(timer);
        if (this.wake === wake) this.wake = undefined;
        resolve();
      };
      timer = setTimeout(wake, ms);
    });
    this.wake = wake;
    return { done, cancel: wake };
  }

  private async deliver(row: OutboxRow): Promise<boolean> {
    const { store, log } = this.opts;
    const d = row.destination;
    const sender = this.senders.get(d.platform)!;
    // Leadership lost since the claim: not a word more, and no write either (the next leader may
    // already own the row once its lease ends).
    if (!this.mayAct()) return false;
    let result: Awaited<ReturnType<Sender['send']>>;
    try {
      result = await sender.send(d, row.reply, { mayAct: () => this.mayAct() });
    } catch (err) {
      result = { ok: false, permanent: false, reason: `sender threw: ${(err as Error).message}` };
    }
    // Lost leadership during the send: whatever happened, the row is left to its lease and the next
    // leader (writing here could undo what that leader already did with it).
    if (!result.ok && !this.mayAct()) return false;
    const now = this.now();
    if (result.ok) {
      // A sender may follow a group migration itself and still report where the chat went.
      const movedTo = (result as { migratedTo?: string }).migratedTo;
      await store.transaction(async (tx) => {
        await tx.outbox.markSent(row.id, now);
        if (movedTo) await this.follow(tx, d, movedTo);
      });
      return true;
    }
    const where = { outboxId: row.id, key: row.idemKey, platform: d.platform, chatId: d.chatId };
    if (result.migratedTo) {
      const to = result.migratedTo;
      await store.transaction(async (tx) => {
        await this.follow(tx, d, to);
        await tx.outbox.deferTo(row.id, now, `chat moved to ${to}`);
      });
      return false;
    }
    if (result.retryAfterMs !== undefined) {
      const until = now + result.retryAfterMs;
      this.pausedUntil.set(d.platform, Math.max(this.pausedUntil.get(d.platform) ?? 0, until));
      await store.outbox.deferTo(row.id, until, result.reason);
      log.warn({ ...where, retryAfterMs: result.retryAfterMs }, 'outbox: rate limited; pausing this platform');
      return false;
    }
    if (result.permanent) {
      await store.transaction(async (tx) => {
        await tx.outbox.fail(row.id, result.reason);
        await tx.outbox.failPendingFor(d.platform, d.chatId, `destination disabled: ${result.reason}`);
        if (d.kind === 'user') await tx.rules.disableForUser(d.platform, d.chatId, result.reason);
        await tx.schedules.disableFor(d.platform, d.chatId, result.reason);
      });
      log.warn({ ...where, reason: result.reason }, 'outbox: destination gone; disabled its alerts and digests');
      await this.opts.onDisabled?.(d, result.reason);
      return false;
    }
    if (row.attempts >= this.maxAttempts) {
      await store.outbox.fail(row.id, result.reason);
      log.error({ ...where, attempts: row.attempts, reason: result.reason }, 'outbox: giving up on a message after repeated failures');
      return false;
    }
    const backoff = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (row.attempts - 1));
    await store.outbox.retryAt(row.id, now + backoff, result.reason);
    log.info({ ...where, attempts: row.attempts, backoffMs: backoff, reason: result.reason }, 'outbox: send failed; will retry');
    return false;
  }

  /** The chat moved (Telegram group → supergroup): its schedule, settings and unsent rows move with it. */
  private async follow(tx: StoreRepos, d: Destination, to: string): Promise<void> {
    await tx.schedules.migrate(d.platform, d.chatId, to);
    await tx.settings.migrateChat(d.platform, d.chatId, to);
    await tx.outbox.redirect(d.platform, d.chatId, to);
    this.opts.log.info({ platform: d.platform, from: d.chatId, to }, 'outbox: chat moved; following it');
  }
}
