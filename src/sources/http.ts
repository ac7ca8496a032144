/**
 * One GET against an upstream, the careful way: a hard timeout per attempt, bounded retries with
 * exponential backoff and jitter for transient failures, and Retry-After honoured (per upstream, so one
 * 429 pauses every resource of that host instead of each resource hammering it in turn).
 */
import { request, type Dispatcher } from 'undici';
import type { Logger } from '../logger.ts';
import { VERSION } from '../version.ts';
import { remainingMs } from '../core/deadline.ts';

/** Why an upstream gave us nothing usable; `reason` is short and user-safe, e.g. "HTTP 500". */
export class FetchFailure extends Error {
  constructor(
    readonly source: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${source} ${path}: ${reason}`);
    this.name = 'FetchFailure';
  }
}

/** How one HTTP request to an upstream ended. */
type RequestOutcome = 'ok' | 'http_error' | 'rate_limited' | 'timeout' | 'connection_failed' | 'too_large';

/** Told about upstream traffic (the operator's counters); must not throw. */
export interface UpstreamObserver {
  /** One HTTP request sent, and how it ended. */
  request(source: string, outcome: RequestOutcome): void;
  /** One call gave up: every attempt failed, or the upstream asked us to stay away for now. */
  failed(source: string): void;
}

export interface HttpDeps {
  dispatcher: Dispatcher;
  timeoutMs: number;
  logger: Logger;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Called once per HTTP request actually sent. */
  count: (key: string) => void;
  observe?: UpstreamObserver;
}

/** Attempts per call, first included. Timeouts are not retried: a slow upstream stays slow. */
const MAX_ATTEMPTS = 3;
const BACKOFF_BASE_MS = 250;
/** A longer Retry-After than this is not waited out in a user's request: fall back or serve stale. */
const RETRY_AFTER_CAP_MS = 10_000;
/** Upstream answers are small; anything bigger is not what we asked for. */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

/** Retry-After as ms from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

type Outcome = { ok: true; body: string } | { ok: false; reason: string; retry: boolean; waitMs?: number; kind: RequestOutcome };

export class Upstream {
  /** Set by a 429/503 whose Retry-After we could not wait out; requests before then fail fast. */
  private blockedUntil = 0;
  private blockedReason = '';

  constructor(
    /** Human name, e.g. "mempool.space". */
    readonly source: string,
    private readonly baseUrl: string,
    private readonly deps: HttpDeps,
  ) {}

  /** GET base + path and return the body text, or throw FetchFailure. */
  async get(path: string): Promise<string> {
    try {
      return await this.tryGet(path);
    } catch (err) {
      if (err instanceof FetchFailure) this.deps.observe?.failed(this.source);
      throw err;
    }
  }

  private async tryGet(path: string): Promise<string> {
    const key = `${this.source} ${path.split('?')[0]}`;
    for (let attempt = 1; ; attempt++) {
      const now = this.deps.now();
      if (now < this.blockedUntil) {
        throw new FetchFailure(this.source, path, `${this.blockedReason}, retry after ${seconds(this.blockedUntil - now)}`);
      }
      const timeoutMs = Math.min(this.deps.timeoutMs, remainingMs());
      if (timeoutMs <= 0) throw new FetchFailure(this.source, path, 'no time left to ask');
      this.deps.count(key);
      const outcome = await this.attempt(path, timeoutMs);
      this.deps.observe?.request(this.source, outcome.ok ? 'ok' : outcome.kind);
      if (outcome.ok) return outcome.body;
      this.deps.logger.warn({ source: this.source, path, attempt, reason: outcome.reason }, 'upstream request failed');
      if (outcome.waitMs !== undefined && outcome.waitMs > RETRY_AFTER_CAP_MS) {
        this.blockedUntil = this.deps.now() + outcome.waitMs;
        this.blockedReason = outcome.reason;
        throw new FetchFailure(this.source, path, `${outcome.reason}, retry after ${seconds(outcome.waitMs)}`);
      }
      if (!outcome.retry || attempt >= MAX_ATTEMPTS) throw new FetchFailure(this.source, path, outcome.reason);
      const backoff = BACKOFF_BASE_MS * 2 ** (attempt - 1);
      const waitMs = outcome.waitMs ?? backoff + Math.floor(this.deps.random() * backoff);
      // Waiting past the command's deadline only delays the same failure.
      if (waitMs >= remainingMs()) throw new FetchFailure(this.source, path, outcome.reason);
      await this.deps.sleep(waitMs);
    }
  }

  private async attempt(path: string, timeoutMs: number): Promise<Outcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const res = await request(this.baseUrl + path, {
        method: 'GET',
        dispatcher: this.deps.dispatcher,
        signal: controller.signal,
        headers: { accept: 'application/json, text/plain', 'user-agent': `hashwatch/${VERSION}` },
      });
      if (res.statusCode >= 200 && res.statusCode < 300) {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          size += (chunk as Buffer).length;
          if (size > MAX_BODY_BYTES) {
            res.body.destroy();
            return { ok: false, reason: 'response too large', retry: false, kind: 'too_large' };
          }
          chunks.push(chunk as Buffer);
        }
        return { ok: true, body: Buffer.concat(chunks).toString('utf8') };
      }
      await res.body.dump().catch(() => undefined);
      const reason = `HTTP ${res.statusCode}`;
      if (res.statusCode === 429 || res.statusCode === 503) {
        const waitMs = parseRetryAfter(res.headers['retry-after'], this.deps.now());
        return {
          ok: false,
          reason: res.statusCode === 429 ? 'rate limited (HTTP 429)' : reason,
          retry: true,
          kind: res.statusCode === 429 ? 'rate_limited' : 'http_error',
          ...(waitMs !== undefined && { waitMs }),
        };
      }
      return { ok: false, reason, retry: res.statusCode >= 500, kind: 'http_error' };
    } catch (err) {
      if (timedOut) return { ok: false, reason: `timeout after ${seconds(timeoutMs)}`, retry: false, kind: 'timeout' };
      const code = (err as { code?: unknown }).code;
      return {
        ok: false,
        reason: `connection failed${typeof code === 'string' ? ` (${code})` : ''}`,
        retry: true,
        kind: 'connection_failed',
      };
    } finally {
      clearTimeout(timer);
    }
  }
}
