/**
 * One deadline per command, set by core/run and read by src/sources: shared by every upstream
 * request made on behalf of one command, so a hanging upstream
 * cannot add its timeout once per resource the command reads in sequence. Measured on the monotonic
 * clock (the injectable wall clock is frozen in tests and may jump). Outside any command (polls,
 * back-fill) there is no deadline and each request has only its own timeout.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';

/**
 * Upstream time one command may spend, so a chat user has an answer or a clear failure within 10 s:
 * the last second is left for computing and rendering (charts) after the data is in.
 */
export const COMMAND_DEADLINE_MS = 9_000;

const storage = new AsyncLocalStorage<number>();

/** Runs fn with a deadline `ms` from now; an enclosing, earlier deadline stays in force. */
export function withDeadline<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  const at = performance.now() + ms;
  const outer = storage.getStore();
  return storage.run(outer !== undefined && outer < at ? outer : at, fn);
}

/** Milliseconds left before the current deadline; Infinity outside one. */
export function remainingMs(): number {
  const at = storage.getStore();
  return at === undefined ? Number.POSITIVE_INFINITY : at - performance.now();
}
