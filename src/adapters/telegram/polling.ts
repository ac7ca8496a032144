/**
 * Long polling that survives what a deploy or an outage throws at it. telegraf's own loop
 * (lib/core/network/polling.js) retries only network errors, 429 and 5xx and rethrows everything
 * else, 409 included (telegraf/telegraf#2084), which ended polling for good while the process
 * stayed up answering nothing.
 * Here a transient failure is retried with capped, jittered backoff, and a refusal that no retry
 * can fix ends the bot (the caller exits non-zero, so a supervisor notices and restarts it).
 */
import { TelegramError, type Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Logger } from '../../logger.ts';

export interface PollTiming {
  /** Long-poll timeout in seconds (Telegram holds getUpdates open up to this long). */
  pollTimeoutSec: number;
  /** First retry wait; doubles per consecutive failure up to `retryCapMs`, each drawn in [½, 1] of that. */
  retryBaseMs: number;
  retryCapMs: number;
}

export const POLL_TIMING: PollTiming = { pollTimeoutSec: 50, retryBaseMs: 1_000, retryCapMs: 30_000 };

/** Polling cannot go on: a human must fix the configuration. */
class PollingFatal extends Error {
  override name = 'PollingFatal';
}

type Verdict = { retry: true; waitMs?: number; why: string } | { retry: false; error: PollingFatal };

/**
 * How the Bot API's answer to getUpdates is read (https://core.telegram.org/bots/api#making-requests:
 * error_code, description, parameters.retry_after):
 * - 409: another getUpdates is running for this token (the old instance during a deploy) or a
 *   webhook is still set; the newer poller wins once the other one stops, so keep trying;
 * - 429: wait the retry_after Telegram asked for;
 * - 5xx and no answer at all (network error, our own deadline): Telegram or the path to it is down;
 * - 401/404: the token is refused (revoked, mistyped) or the API root is wrong: retrying cannot help;
 * - any other 4xx (400 included; the Bot API documents no 400 as transient): our request is wrong,
 *   and the same request will be refused again.
 */
export function classifyPollError(err: unknown): Verdict {
  if (!(err instanceof TelegramError)) return { retry: true, why: (err as Error).message };
  const code = err.code;
  if (code === 409) return { retry: true, why: `409 ${err.description}` };
  if (code === 429) {
    const after = err.parameters?.retry_after;
    return { retry: true, ...(after !== undefined ? { waitMs: after * 1000 } : {}), why: `429 ${err.description}` };
  }
  if (code >= 500) return { retry: true, why: `${code} ${err.description}` };
  if (code === 401 || code === 404) {
    return {
      retry: false,
      error: new PollingFatal(
        `Telegram refused the bot token (${code} ${err.description}): check TELEGRAM_BOT_TOKEN (and TELEGRAM_API_ROOT if set)`,
      ),
    };
  }
  return {
    retry: false,
    error: new PollingFatal(`Telegram refused getUpdates (${code} ${err.description}); stopping so a supervisor restarts the bot`),
  };
}

export function backoffMs(failures: number, timing: PollTiming, random: () => number = Math.random): number {
  const ceiling = Math.min(timing.retryCapMs, timing.retryBaseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling * (0.5 + random() / 2));
}

export interface PollOptions {
  telegram: Telegram;
  allowedUpdates: readonly string[];
  /** Takes one update; must not wait for it to be answered. */
  onUpdate(update: Update): void;
  log: Logger;
  timing: PollTiming;
  signal: AbortSignal;
  /**
   * Checked before each getUpdates and before taking a batch: false ends polling like `signal`. A
   * batch that arrives when it is false is left unconfirmed, so the next poller gets it instead.
   */
  mayPoll?: () => boolean;
  /** After every getUpdates: how many have failed in a row since the last one that answered (0: it answered). */
  onOutcome?: (failuresInARow: number) => void;
}

/**
 * Polls until `signal` aborts or `mayPoll` says no (resolves) or a fatal refusal (rejects with
 * PollingFatal). On the way out it confirms the updates already taken, so a restart or the next
 * leader does not answer them twice.
 */
export async function pollUpdates(opts: PollOptions): Promise<void> {
  const { telegram, log, timing, signal } = opts;
  const mayPoll = opts.mayPoll ?? (() => true);
  const call = telegram.callApi.bind(telegram) as unknown as (m: string, p: object, o?: { signal?: AbortSignal }) => Promise<Update[]>;
  let offset = 0;
  let failures = 0;
  try {
    while (!signal.aborted && mayPoll()) {
      try {
        const updates = await call(
          'getUpdates',
          { timeout: timing.pollTimeoutSec, offset, allowed_updates: opts.allowedUpdates },
          { signal },
        );
        if (failures > 0) log.info({ failures }, 'telegram: polling recovered');
        failures = 0;
        opts.onOutcome?.(0);
        if (!mayPoll()) break;
        for (const update of updates) {
          offset = update.update_id + 1;
          opts.onUpdate(update);
        }
      } catch (err) {
        if (signal.aborted) break;
        const verdict = classifyPollError(err);
        if (!verdict.retry) throw verdict.error;
        failures++;
        opts.onOutcome?.(failures);
        const waitMs = verdict.waitMs ?? backoffMs(failures, timing);
        log.warn({ failures, waitMs, reason: verdict.why }, 'telegram: getUpdates failed; retrying');
        await sleep(waitMs, signal);
      }
    }
  } finally {
    if (offset > 0) {
      await call('getUpdates', { offset, limit: 1, timeout: 0 }).catch((err: unknown) => {
        log.warn({ err: (err as Error).message }, 'telegram: could not confirm the last updates; a restart may see them again');
      });
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
