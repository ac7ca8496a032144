/**
 * Leader election through PostgreSQL itself: the leader is the instance whose session holds a
 * session-level advisory lock (pg_try_advisory_lock) on a connection of its own, never one of the
 * store's pooled connections, since a pool hands sessions around and the lock belongs to a session.
 * The URL must reach PostgreSQL directly (or through a session-mode pooler): a transaction-mode
 * pooler would move the lock between clients. Advisory locks are per database, so bots on
 * different databases of one server do not compete.
 *
 * Holding the lock is not enough to act on it: a leader that is paused (SIGSTOP, a frozen VM) or cut
 * off from the server can wake up long after the server gave the lock to someone else. So the
 * leader also keeps a lease on its own clock and believes it leads only while the lease runs:
 *
 * - Every heartbeat (`SELECT 1`, every `heartbeatMs`) that succeeds renews the lease until the
 *   moment the heartbeat was STARTED plus `leaseMs`, on the monotonic clock (performance.now(),
 *   which keeps counting while the process is stopped). isLeader() compares against it, so a
 *   resumed process sees the lease expired at its very first check, before any network round trip.
 * - The session sets `idle_session_timeout` to `idleSessionMs` (≥ leaseMs + heartbeatMs): when no query arrives
 *   for that long, the SERVER ends the session and the lock is freed with it.
 *
 * Why the old leader stops first: the server's idle clock restarts when it answers a query, which
 * it received after the client read its own clock for the lease and sent it. So the server
 * cannot free the lock before (last heartbeat start + idleSessionMs), and by then the lease ended
 * at (last heartbeat start + leaseMs), idleSessionMs − leaseMs earlier. Another instance can only
 * take the lock after the server freed it, so the old leader's lease is over before anyone else's
 * begins. The gap (2 s by default) absorbs the two machines' clocks running at slightly different
 * rates over those seconds; it does not depend on their wall clocks agreeing.
 *
 * The lease is also bounded on the wall clock: Linux's monotonic clock stops while the whole machine
 * is suspended, and the wall clock is stepped forward on resume, so taking whichever ends first keeps
 * a suspended-and-resumed leader from trusting a stale lease. (A wall clock stepped forward by NTP
 * can only end a lease early: a needless hand-over, never two leaders.)
 *
 * Anything that makes the lease doubtful (a heartbeat error or timeout, the lease running out
 * between heartbeats, a connection error) makes this instance a follower at once (listeners hear
 * it), drops the connection (which frees the lock if the session still exists) and competes again
 * on a new connection. Followers try the lock every `retryMs`.
 *
 * Worst-case takeover with the defaults (retry 2 s, heartbeat 2 s, lease 8 s, idle session 10 s):
 * - leader dies and its kernel closes the socket (crash, SIGKILL, OOM): the server sees the
 *   connection end at once and frees the lock; a follower takes it at its next try, within retryMs
 *   (~2 s) plus a round trip.
 * - leader paused, or its machine or network gone without closing the socket: the server ends the
 *   session idleSessionMs after the last heartbeat (≤ 10 s), and a follower takes it within retryMs
 *   after that: ≤ ~12 s. Both well inside the 30 s the work may go undone.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { scrub, type Logger } from '../logger.ts';
import type { Leadership, Role } from './leadership.ts';

export interface PostgresLeadershipOptions {
  url: string;
  /** Name of the lock; every instance of one bot uses the same name. */
  key: string;
  log: Logger;
  /** How often a follower tries the lock, and waits before reconnecting. */
  retryMs?: number;
  heartbeatMs?: number;
  /** How long a heartbeat's success lets the leader act, counted from the heartbeat's start. */
  leaseMs?: number;
  /** The server ends a session idle this long; at least leaseMs + heartbeatMs (see above). */
  idleSessionMs?: number;
}

const DEFAULTS = { retryMs: 2_000, heartbeatMs: 2_000, leaseMs: 8_000, idleSessionMs: 10_000 };
/** `SELECT 1` and pg_try_advisory_lock answer in microseconds; seconds means the server is stuck. */
const STATEMENT_TIMEOUT_MS = 2_000;
/** Client side: a query into a black-holed network would otherwise wait for TCP to give up. */
const QUERY_TIMEOUT_MS = 5_000;
const CONNECT_TIMEOUT_MS = 5_000;
const CLOSE_WAIT_MS = 5_000;
/** idle_session_timeout arrived in PostgreSQL 14; without it a paused leader's lock is never freed. */
const MIN_SERVER_VERSION = 140_000;

export function postgresLeadership(options: PostgresLeadershipOptions): Leadership {
  return new PostgresLeadership({ ...DEFAULTS, ...options });
}

/** 64-bit lock id from the name: a hash of our own, so it does not depend on the server's hash functions. */
function advisoryLockId(key: string): string {
  return createHash('sha256').update(key).digest().readBigInt64BE(0).toString();
}

/** host:port/database, for logs: never the password. */
function describeServer(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}

function passwordOf(url: string): string[] {
  try {
    const raw = new URL(url).password;
    return raw ? [raw, decodeURIComponent(raw)] : [];
  } catch {
    return [];
  }
}

class PostgresLeadership implements Leadership {
  readonly #opts: Required<PostgresLeadershipOptions>;
  readonly #log: Logger;
  readonly #lockId: string;
  readonly #secrets: string[];
  readonly #listeners = new Set<(role: Role) => void>();
  /** The lock is held on #client and not yet known lost; isLeader() also needs the lease. */
  #held = false;
  #leaseEndMono = 0;
  #leaseEndWall = 0;
  #leaseTimer: NodeJS.Timeout | undefined;
  #client: pg.Client | undefined;
  /** The last dropped connection's close, which stop() waits for so the lock is freed when it returns. */
  #closing: Promise<void> = Promise.resolve();
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: () => void = () => {};

  constructor(opts: Required<PostgresLeadershipOptions>) {
    if (!(opts.leaseMs > opts.heartbeatMs)) throw new Error('leaseMs must exceed heartbeatMs, or the lease lapses between heartbeats');
    if (!(opts.idleSessionMs >= opts.leaseMs + opts.heartbeatMs)) {
      throw new Error(
        "idleSessionMs must be at least leaseMs + heartbeatMs: the server may free a silent leader's lock only well after its lease ended",
      );
    }
    this.#opts = opts;
    this.#lockId = advisoryLockId(opts.key);
    this.#secrets = passwordOf(opts.url);
    this.#log = opts.log.child({ part: 'leadership', server: describeServer(opts.url) });
  }

  isLeader(): boolean {
    return this.#held && performance.now() < this.#leaseEndMono && Date.now() < this.#leaseEndWall;
  }

  role(): Role {
    return this.isLeader() ? 'leader' : 'follower';
  }

  onChange(listener: (role: Role) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.#loop) return;
    this.#stopping = false;
    let firstAttemptDone!: () => void;
    const firstAttempt = new Promise<void>((resolve) => (firstAttemptDone = resolve));
    this.#loop = this.#run(firstAttemptDone);
    await firstAttempt;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake();
    if (this.#client) this.#drop(this.#client, 'stopping');
    await this.#loop;
    this.#loop = undefined;
    // A closed socket frees the lock at once; on a dead network the close never completes, and the
    // server frees the lock by itself (idle_session_timeout), so shutting down need not wait for it.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#closing, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
  }

  async #run(firstAttemptDone: () => void): Promise<void> {
    while (!this.#stopping) {
      const client = await this.#connect();
      while (client && this.#client === client && !this.#stopping) {
        if (this.#held) await this.#heartbeat(client);
        else await this.#tryLock(client);
        firstAttemptDone();
        if (this.#client === client) await this.#sleep(this.#held ? this.#opts.heartbeatMs : this.#opts.retryMs);
      }
      firstAttemptDone();
      if (!this.#stopping) await this.#sleep(this.#opts.retryMs);
    }
  }

  async #connect(): Promise<pg.Client | undefined> {
    const client = new pg.Client({
      connectionString: this.#opts.url,
      application_name: 'hashwatch-leadership',
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true,
    });
    // Without an 'error' listener a broken idle connection would end the process.
    client.on('error', (err) => this.#drop(client, `connection error: ${this.#safe(err)}`));
    client.on('end', () => this.#drop(client, 'connection closed'));
    try {
      await client.connect();
      const { rows } = await client.query<{ version: number }>(`SELECT current_setting('server_version_num')::int AS version`);
      const version = rows[0]?.version ?? 0;
      if (version < MIN_SERVER_VERSION) {
        throw new Error(`PostgreSQL ${version} is too old for leader election: it needs 14 or newer (idle_session_timeout)`);
      }
      await client.query(`SET idle_session_timeout = ${this.#opts.idleSessionMs}`);
      await client.query(`SET statement_timeout = ${STATEMENT_TIMEOUT_MS}`);
    } catch (err) {
      this.#log.warn({ err: this.#safe(err) }, 'leader election cannot connect; retrying');
      this.#closing = client.end().catch(() => {});
      return undefined;
    }
    if (this.#stopping) {
      this.#closing = client.end().catch(() => {});
      return undefined;
    }
    this.#client = client;
    return client;
  }

  async #tryLock(client: pg.Client): Promise<void> {
    const startedMono = performance.now();
    const startedWall = Date.now();
    let locked: boolean;
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [this.#lockId]);
      locked = rows[0]?.locked === true;
    } catch (err) {
      this.#drop(client, `lock attempt failed: ${this.#safe(err)}`);
      return;
    }
    // Dropped while asking: a lock granted meanwhile goes with the closing session.
    if (!locked || this.#client !== client) return;
    this.#held = true;
    this.#renew(startedMono, startedWall);
    if (!this.isLeader()) {
      this.#drop(client, 'the lock was granted after the lease it would have started had run out');
      return;
    }
    this.#log.info('this instance is now the leader');
    this.#emit('leader');
  }

  async #heartbeat(client: pg.Client): Promise<void> {
    const startedMono = performance.now();
    const startedWall = Date.now();
    try {
      await client.query('SELECT 1');
    } catch (err) {
      this.#drop(client, `heartbeat failed: ${this.#safe(err)}`);
      return;
    }
    if (this.#client !== client || !this.#held) return;
    this.#renew(startedMono, startedWall);
    // An answer that took longer than the lease renews nothing: the server may already have freed the lock.
    if (!this.isLeader()) this.#drop(client, 'the lease ran out before the heartbeat answered');
  }

  #renew(startedMono: number, startedWall: number): void {
    this.#leaseEndMono = startedMono + this.#opts.leaseMs;
    this.#leaseEndWall = startedWall + this.#opts.leaseMs;
    this.#armLeaseTimer();
  }

  /** Tells listeners when the lease runs out between heartbeats (a hung query, a slow server). */
  #armLeaseTimer(): void {
    clearTimeout(this.#leaseTimer);
    const left = Math.min(this.#leaseEndMono - performance.now(), this.#leaseEndWall - Date.now());
    this.#leaseTimer = setTimeout(
      () => {
        if (!this.#held) return;
        if (this.isLeader()) this.#armLeaseTimer();
        else if (this.#client) this.#drop(this.#client, 'the lease ran out without a successful heartbeat');
      },
      Math.max(0, Math.ceil(left)),
    );
  }

  /** Forgets the connection (closing it frees the lock if the session still lives) and any leadership with it. */
  #drop(client: pg.Client, reason: string): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#closing = client.end().catch(() => {});
    this.#wake();
    clearTimeout(this.#leaseTimer);
    if (this.#held) {
      this.#held = false;
      const level = reason === 'stopping' ? 'info' : 'warn';
      this.#log[level]({ reason }, 'this instance is no longer the leader');
      this.#emit('follower');
    } else if (reason !== 'stopping') {
      this.#log.info({ reason }, 'leader election connection lost; reconnecting');
    }
  }

  #emit(role: Role): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(role);
      } catch (err) {
        this.#log.error({ err: this.#safe(err) }, 'a leadership listener threw');
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = () => {};
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  /** An error's message with the URL's password removed, in case a driver ever echoes the URL. */
  #safe(err: unknown): string {
    return scrub(err instanceof Error ? err.message : String(err), this.#secrets);
  }
}
