/**
 * A hanging upstream means seconds of silence at a prompt or in a shell (the HTTP timeout, then a
 * fallback). Chats show typing or a deferral; the terminal says once what it is waiting for.
 */

/** How long an answer may take before the terminal says it is still fetching. */
const WAITING_NOTICE_MS = 1_000;

/** "fetching from mempool.space…": the host of the configured mempool (self-hosted ones too). */
export function waitingNotice(mempoolApiUrl: string): string {
  return `fetching from ${new URL(mempoolApiUrl).host}…`;
}

/** Calls `say` once if `work` has not settled after `afterMs`; the result is `work`'s. */
export function sayWhileWaiting<T>(work: Promise<T>, say: () => void, afterMs = WAITING_NOTICE_MS): Promise<T> {
  const timer = setTimeout(say, afterMs);
  return work.finally(() => clearTimeout(timer));
}
