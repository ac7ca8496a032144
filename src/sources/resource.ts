/**
 * One cached upstream resource. Fresh values are served from memory; concurrent asks share one
 * refresh; a refresh tries each source in order (primary, then fallbacks), starting the next one as soon
 * as the one before fails or has gone `hedgeAfterMs` (at most half the command's remaining deadline)
 * without an answer, and takes the first answer, so
 * a hanging primary costs the fallback's time, not the primary's timeout plus it. When every source
 * fails the last good value is served labelled stale, and no source is asked again for a short
 * cool-down, so the number of upstream calls never grows with the number of users.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger.ts';
import { remainingMs } from '../core/deadline.ts';
import { FetchFailure } from './http.ts';
import { UpstreamError, type Sourced } from '../core/market.ts';

export interface SourceAttempt<T> {
  /** Human name shown to users, e.g. "mempool.space". */
  source: string;
  fetch: () => Promise<T>;
  /** Said whenever this source's value is used, e.g. what a fallback cannot know. */
  caveat?: string;
}

export interface ResourceOptions<T> {
  key: string;
  /** What the value is, in words, for error messages: "the BTC price". */
  what: string;
  ttlMs: number;
  sources: SourceAttempt<T>[];
  /** Start the next source when the one before has not answered after this long. */
  hedgeAfterMs: number;
  now: () => number;
  logger: Logger;
}

type Failure = { source: string; reason: string };

/** After every source failed, wait this long (at most the TTL) before asking upstream again. */
const FAILURE_COOLDOWN_MS = 15_000;

interface Held<T> {
  value: T;
  source: string;
  fetchedAt: number;
  note?: string;
}

function joinAnd(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

export class Resource<T> {
  private held: Held<T> | undefined;
  private inflight: Promise<Sourced<T>> | undefined;
  private failure: { at: number; failures: Failure[] } | undefined;

  constructor(private readonly opts: ResourceOptions<T>) {}

  get(): Promise<Sourced<T>> {
    const now = this.opts.now();
    const held = this.held;
    if (held && now - held.fetchedAt < this.opts.ttlMs) {
      return Promise.resolve(this.fresh(held));
    }
    if (this.inflight) return this.inflight;
    if (this.failure && now - this.failure.at < Math.min(FAILURE_COOLDOWN_MS, this.opts.ttlMs)) {
      return this.settleFailure(this.failure.failures);
    }
    const run = this.refresh();
    this.inflight = run;
    const clear = () => {
      if (this.inflight === run) this.inflight = undefined;
    };
    run.then(clear, clear);
    return run;
  }

  private fresh(h: Held<T>): Sourced<T> {
    return { value: h.value, source: h.source, fetchedAt: h.fetchedAt, stale: false, ...(h.note !== undefined && { note: h.note }) };
  }

  private refresh(): Promise<Sourced<T>> {
    const sources = this.opts.sources;
    const failures: (Failure | undefined)[] = [];
    const startedAt: number[] = [];
    const timers = new Set<NodeJS.Timeout>();
    let settled = false;
    let failed = 0;
    return new Promise<Sourced<T>>((resolve) => {
      const finish = (result: Promise<Sourced<T>> | Sourced<T>) => {
        settled = true;
        for (const t of timers) clearTimeout(t);
        resolve(result);
      };
      const start = (i: number) => {
        if (settled || i >= sources.length || startedAt[i] !== undefined) return;
        startedAt[i] = performance.now();
        const attempt = sources[i]!;
        if (i + 1 < sources.length) {
          // Within a command's deadline, leave the next source at least half of what is left.
          const t = setTimeout(
            () => {
              timers.delete(t);
              start(i + 1);
            },
            Math.min(this.opts.hedgeAfterMs, remainingMs() / 2),
          );
          timers.add(t);
        }
        attempt.fetch().then(
          (value) => {
            if (!settled) finish(this.succeed(i, value, failures, startedAt));
          },
          (err: unknown) => {
            const reason = err instanceof FetchFailure ? err.reason : 'internal error';
            if (!(err instanceof FetchFailure))
              this.opts.logger.error({ err, resource: this.opts.key, source: attempt.source }, 'source fetch threw unexpectedly');
            failures[i] = { source: attempt.source, reason };
            if (settled) return;
            if (++failed === sources.length) {
              const all = failures.filter((f): f is Failure => f !== undefined);
              this.failure = { at: this.opts.now(), failures: all };
              this.opts.logger.warn(
                { resource: this.opts.key, failures: all, servingStale: this.held !== undefined },
                'every source failed',
              );
              finish(this.settleFailure(all));
            } else {
              start(i + 1);
            }
          },
        );
      };
      start(0);
    });
  }

  /** Keeps the answer of source i; sources before it that failed or are still silent are named in the note. */
  private succeed(i: number, value: T, failures: (Failure | undefined)[], startedAt: number[]): Sourced<T> {
    const attempt = this.opts.sources[i]!;
    const before = this.opts.sources.slice(0, i).map((s, k) => {
      const f = failures[k];
      return f
        ? `${s.source} failed (${f.reason})`
        : `${s.source} did not answer within ${Math.round((performance.now() - startedAt[k]!) / 100) / 10} s`;
    });
    const notes = [...(before.length ? [`${joinAnd(before)}; using ${attempt.source}`] : []), ...(attempt.caveat ? [attempt.caveat] : [])];
    this.held = { value, source: attempt.source, fetchedAt: this.opts.now(), ...(notes.length && { note: notes.join('; ') }) };
    this.failure = undefined;
    return this.fresh(this.held);
  }

  /** The last good value labelled stale, or a user-safe error when there never was one. */
  private settleFailure(failures: Failure[]): Promise<Sourced<T>> {
    const held = this.held;
    if (held) {
      const note = failures.map((f) => `${f.source}: ${f.reason}`).join('; ');
      return Promise.resolve({ value: held.value, source: held.source, fetchedAt: held.fetchedAt, stale: true, note });
    }
    const what = joinAnd(failures.map((f) => `${f.source} failed (${f.reason})`));
    return Promise.reject(new UpstreamError(this.opts.key, `Could not get ${this.opts.what}: ${what}, and no earlier value is cached.`));
  }
}
