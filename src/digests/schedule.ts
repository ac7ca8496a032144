/**
 * The daily digest schedule. One check runs every minute (node-cron, see src/background.ts) and at
 * start-up: a schedule is due when its local time has passed today, in its own time zone, and
 * today's digest has not been queued yet. The same check therefore sends a digest missed while the
 * bot was down, once, if it is still that day there; a day that has already ended is not made up
 * (DigestScheduler.tick says why). Queuing a digest and marking the day happen in one transaction,
 * keyed `digest:<platform>:<chat>:<local date>`: by the chat, not the schedule row, so a chat that
 * unsubscribes and subscribes again the same day is not posted to twice, and a chat whose schedule
 * reuses a removed row's id still gets its own digest.
 */
import type { Logger } from 'pino';
import type { Destination, DeliveryPlatform } from '../core/delivery.ts';
import type { Reply } from '../core/reply.ts';
import type { ScheduleRow, Store } from '../store/index.ts';
import { localClock, minutesOf } from '../core/local-time.ts';

export type BuildDigest = (destination: Destination) => Promise<Reply>;

export function isDue(s: Pick<ScheduleRow, 'time' | 'timezone' | 'lastDate'>, nowMs: number): string | undefined {
  const local = localClock(nowMs, s.timezone);
  if (local.minutes < minutesOf(s.time)) return undefined;
  if (s.lastDate !== null && s.lastDate >= local.date) return undefined;
  return local.date;
}

export const digestKey = (platform: string, chatId: string, localDate: string) => `digest:${platform}:${chatId}:${localDate}`;

const destinationOfSchedule = (s: ScheduleRow): Destination => ({
  platform: s.platform as DeliveryPlatform,
  chatId: s.chatId,
  kind: s.kind,
});

/** A digest that could not be built waits 1, 2, 4 … minutes before the next try, at most an hour. */
const RETRY_FIRST_MS = 60_000;
const RETRY_MAX_MS = 60 * 60_000;

export class DigestScheduler {
  /** Digests whose build failed, by schedule: the day they are for and when to try again. */
  private failing = new Map<number, { date: string; attempts: number; nextTryMs: number }>();

  constructor(private readonly deps: { store: Store; log: Logger; now(): number; buildDigest: BuildDigest; onQueued?(): void }) {}

  /**
   * Queues every digest due now; returns how many. Never throws. A digest goes out with whatever
   * data answered (the builder names what is missing), so a build fails only when nothing at all
   * could be had; it is then retried with backoff. A day that ends without its digest is skipped,
   * with a log line, rather than made up late: the next digest carries the same, newer numbers.
   */
  async tick(): Promise<number> {
    const { store, log } = this.deps;
    const now = this.deps.now();
    const due: { s: ScheduleRow; date: string }[] = [];
    const active = await store.schedules.active();
    // A schedule removed while failing has nothing left to retry or skip.
    for (const id of this.failing.keys()) if (!active.some((s) => s.id === id)) this.failing.delete(id);
    for (const s of active) {
      const date = isDue(s, now);
      const failed = this.failing.get(s.id);
      if (failed && failed.date !== date) {
        log.warn(
          { scheduleId: s.id, date: failed.date, attempts: failed.attempts },
          'digest: skipped that day; it could not be built before the day ended',
        );
        this.failing.delete(s.id);
      }
      if (!date) continue;
      if (failed && failed.date === date && now < failed.nextTryMs) continue;
      due.push({ s, date });
    }
    let queued = 0;
    for (const { s, date } of due) {
      let reply: Reply;
      try {
        reply = await this.deps.buildDigest(destinationOfSchedule(s));
      } catch (err) {
        const attempts = (this.failing.get(s.id)?.attempts ?? 0) + 1;
        const waitMs = Math.min(RETRY_FIRST_MS * 2 ** (attempts - 1), RETRY_MAX_MS);
        this.failing.set(s.id, { date, attempts, nextTryMs: now + waitMs });
        log.warn(
          { scheduleId: s.id, attempts, retryInMin: waitMs / 60_000, err: (err as Error).message },
          'digest: could not build; will retry',
        );
        continue;
      }
      this.failing.delete(s.id);
      await store.transaction(async (tx) => {
        await tx.outbox.enqueue(digestKey(s.platform, s.chatId, date), destinationOfSchedule(s), reply, now);
        await tx.schedules.markDate(s.id, date);
      });
      queued++;
    }
    if (queued) this.deps.onQueued?.();
    return queued;
  }
}
