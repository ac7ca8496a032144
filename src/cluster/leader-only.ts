/**
 * Runs the work that must happen once (alert evaluation, digests, outbox delivery, Telegram long
 * polling) only while this process leads: started when it becomes leader, stopped (and awaited)
 * when it stops being one. Role changes are handled one after another, so a start never overlaps a
 * stop or another start, whatever order the events come in.
 *
 * Stopping takes as long as the work's stop function; the work itself must still check
 * leadership.isLeader() right before each action that must happen once, since the role can end
 * in the middle of it (a paused process learns only on resuming).
 */
import type { Logger } from '../logger.ts';
import type { Leadership } from './leadership.ts';

/** Starts the work; resolves to the function that stops it and waits for it to finish. */
export type StartWork = () => Promise<() => Promise<void>>;

export interface LeaderOnly {
  /** Resolves once the role changes seen so far are acted on (the work started, if this process leads). */
  settled(): Promise<void>;
  /** Stops the work if it runs and stops following role changes. */
  stop(): Promise<void>;
}

/** A start that failed is tried again after this long, as long as this process still leads. */
const START_RETRY_MS = 5_000;

export function leaderOnly(leadership: Leadership, start: StartWork, log: Logger, opts: { startRetryMs?: number } = {}): LeaderOnly {
  const startRetryMs = opts.startRetryMs ?? START_RETRY_MS;
  let stopWork: (() => Promise<void>) | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  let queue = Promise.resolve();

  /** Brings the work in line with the role at the moment it runs, not the one an event reported. */
  const reconcile = async (): Promise<void> => {
    const lead = !closed && leadership.isLeader();
    if (lead && !stopWork) {
      try {
        stopWork = await start();
        log.info('leader-only work started');
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'leader-only work failed to start; retrying');
        clearTimeout(retry);
        if (!closed) retry = setTimeout(enqueue, startRetryMs);
      }
    } else if (!lead && stopWork) {
      const stop = stopWork;
      stopWork = undefined;
      try {
        await stop();
        log.info('leader-only work stopped');
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'leader-only work failed to stop cleanly');
      }
    }
  };
  // reconcile never rejects, so the queue never breaks.
  const enqueue = () => {
    queue = queue.then(reconcile);
  };

  const unsubscribe = leadership.onChange(enqueue);
  enqueue();

  return {
    settled: () => queue,
    async stop() {
      closed = true;
      clearTimeout(retry);
      unsubscribe();
      enqueue();
      await queue;
    },
  };
}
