/**
 * One cached upstream resource. Fresh values are served from memory; concurrent asks share one
 * refresh; a refresh tries each source in order (primary, then fallbacks); when every source fails the
 * last good value is served labelled stale, and no source is asked again for a short cool-down, so the
 * number of upstream calls never grows with the number of users.
 */
import type { Logger } from '../logger.ts';
import { FetchFailure } from './http.ts';
import { UpstreamError, type Sourced } from './types.ts';

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
  now: () => number;
  logger: Logger;
}

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
  private failure: { at: number; failures: { source: string; reason: string }[] } | undefined;

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

  private async refresh(): Promise<Sourced<T>> {
    const failures: { source: string; reason: string }[] = [];
    for (const attempt of this.opts.sources) {
      let value: T;
      try {
        value = await attempt.fetch();
      } catch (err) {
        const reason = err instanceof FetchFailure ? err.reason : 'internal error';
        if (!(err instanceof FetchFailure)) this.opts.logger.error({ err, resource: this.opts.key, source: attempt.source }, 'source fetch threw unexpectedly');
        failures.push({ source: attempt.source, reason });
        continue;
      }
      const notes = [
        ...(failures.length ? [`${joinAnd(failures.map((f) => `${f.source} failed (${f.reason})`))}; using ${attempt.source}`] : []),
        ...(attempt.caveat ? [attempt.caveat] : []),
      ];
      this.held = { value, source: attempt.source, fetchedAt: this.opts.now(), ...(notes.length && { note: notes.join('; ') }) };
      this.failure = undefined;
      return this.fresh(this.held);
    }
    this.failure = { at: this.opts.now(), failures };
    this.opts.logger.warn({ resource: this.opts.key, failures, servingStale: this.held !== undefined }, 'every source failed');
    return this.settleFailure(failures);
  }

  /** The last good value labelled stale, or a user-safe error when there never was one. */
  private settleFailure(failures: { source: string; reason: string }[]): Promise<Sourced<T>> {
    const held = this.held;
    if (held) {
      const note = failures.map((f) => `${f.source}: ${f.reason}`).join('; ');
      return Promise.resolve({ value: held.value, source: held.source, fetchedAt: held.fetchedAt, stale: true, note });
    }
    const what = joinAnd(failures.map((f) => `${f.source} failed (${f.reason})`));
    return Promise.reject(new UpstreamError(this.opts.key, `Could not get ${this.opts.what}: ${what}, and no earlier value is cached.`));
  }
}
