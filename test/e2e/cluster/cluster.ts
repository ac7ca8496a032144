/**
 * Several bot processes started as users start them (`node bin/hashwatch.js`), each with its own
 * HTTP_PORT, for the failover and split-brain tests: read their /readyz, find the leader, kill,
 * pause or resume one, and keep what they printed for failure messages. Every process started here
 * is also in a module-wide list that stopAllBots() (afterEach) and the test process's exit end, so
 * a failed assertion or a crashed test never leaves bots running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/hashwatch.js', import.meta.url));
/** Enough of each process's output to explain a failure, without holding every log line of a long run. */
const OUTPUT_KEPT = 200_000;
/** The bots are healthy processes on a busy machine: a /readyz slower than this means "not answering". */
const READYZ_TIMEOUT_MS = 5_000;
const POLL_MS = 100;

type Role = 'leader' | 'follower' | 'single';

/** What GET /readyz answers: its status and the JSON body (role, store, platforms). */
interface Readiness {
  status: number;
  role?: Role;
  body: Record<string, unknown>;
}

interface BotProcess {
  readonly name: string;
  readonly httpPort: number;
  readonly pid: number;
  /** What the process printed so far (stdout and stderr, interleaved, the latest OUTPUT_KEPT characters). */
  output(): string;
  /** /readyz, or undefined when the process does not answer (paused, dead, not listening yet). */
  readyz(timeoutMs?: number): Promise<Readiness | undefined>;
  /** SIGKILL: the process ends at once, its sockets closed by the kernel. */
  kill(): void;
  /** SIGSTOP: the process is frozen, its sockets stay open. */
  pause(): void;
  /** SIGCONT */
  resume(): void;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Resolves when the process has ended. */
  readonly ended: Promise<void>;
}

export interface Cluster {
  readonly bots: readonly BotProcess[];
  /**
   * Waits until exactly one of `among` (default: all) says it is leader and returns it, with the
   * time it was seen. Processes that do not answer are skipped, not waited for.
   */
  leader(opts?: { among?: readonly BotProcess[]; timeoutMs?: number }): Promise<{ bot: BotProcess; seenAt: number }>;
  /** Waits until every one of `bots` answers /readyz with this role. */
  waitForRole(bots: readonly BotProcess[], role: Role, timeoutMs?: number): Promise<void>;
  /** Roles and output tails of every process, for a failure message. */
  report(): Promise<string>;
  /** Ends every process (SIGKILL) and removes their folders. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Ends every bot process still running (for afterEach/afterAll). */
export async function stopAllBots(): Promise<void> {
  await Promise.all([...live].map(endProcess));
}

async function endProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    live.delete(child);
    return;
  }
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // SIGKILL ends a stopped (SIGSTOP) process too; no SIGCONT needed first.
  child.kill('SIGKILL');
  await ended;
  live.delete(child);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined; throws `explain()` on timeout. */
export async function until<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  explain: () => string | Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms: ${await explain()}`);
    await sleep(POLL_MS);
  }
}

async function readReadiness(port: number, timeoutMs: number): Promise<Readiness | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
    const role = body.role === 'leader' || body.role === 'follower' || body.role === 'single' ? body.role : undefined;
    return { status: res.status, body, ...(role ? { role } : {}) };
  } catch {
    return undefined;
  }
}

function startBot(name: string, env: Record<string, string>, httpPort: number, folder: string): BotProcess {
  const child = spawn(process.execPath, [BIN], {
    // Its own folder as the working directory: no developer .env is read, and the SQLite default
    // path (unused with DATABASE_URL) lands there.
    cwd: folder,
    env: { PATH: process.env.PATH ?? '', HTTP_PORT: String(httpPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  const keep = (d: Buffer) => {
    output += d.toString();
    if (output.length > OUTPUT_KEPT * 2) output = output.slice(-OUTPUT_KEPT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void ended.then(() => live.delete(child));
  const signal = (s: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(s);
  };
  return {
    name,
    httpPort,
    pid: child.pid!,
    output: () => output.slice(-OUTPUT_KEPT),
    readyz: (timeoutMs = READYZ_TIMEOUT_MS) => readReadiness(httpPort, timeoutMs),
    kill: () => signal('SIGKILL'),
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    get exitCode() {
      return child.exitCode;
    },
    get signal() {
      return child.signalCode;
    },
    ended,
  };
}

export interface ClusterOptions {
  /** Names of the processes, one per process (e.g. ['a', 'b', 'c']). */
  names: readonly string[];
  /** The environment of one process (PATH and HTTP_PORT are added). */
  env(name: string): Record<string, string> | Promise<Record<string, string>>;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const folder = mkdtempSync(join(tmpdir(), 'hashwatch-cluster-'));
  const bots: BotProcess[] = [];
  for (const name of opts.names) {
    const dir = mkdtempSync(join(folder, `${name}-`));
    bots.push(startBot(name, await opts.env(name), await freePort(), dir));
  }

  const roles = async (among: readonly BotProcess[]) => Promise.all(among.map(async (bot) => ({ bot, readiness: await bot.readyz() })));

  const report = async () => {
    const lines: string[] = [];
    for (const { bot, readiness } of await roles(bots)) {
      const state = bot.exitCode !== null || bot.signal !== null ? `ended (${bot.signal ?? bot.exitCode})` : 'running';
      lines.push(
        `--- ${bot.name} (pid ${bot.pid}, port ${bot.httpPort}, ${state}): /readyz ${readiness ? `${readiness.status} ${JSON.stringify(readiness.body)}` : 'no answer'}`,
      );
      lines.push(
        bot
          .output()
          .split('\n')
          .slice(-30)
          .map((l) => `    ${l.slice(0, 400)}`)
          .join('\n'),
      );
    }
    return lines.join('\n');
  };

  return {
    bots,
    async leader({ among = bots, timeoutMs = 60_000 } = {}) {
      let last: { bot: BotProcess; readiness: Readiness | undefined }[] = [];
      return until(
        async () => {
          last = await roles(among);
          const leaders = last.filter((r) => r.readiness?.role === 'leader');
          return leaders.length === 1 ? { bot: leaders[0]!.bot, seenAt: Date.now() } : undefined;
        },
        timeoutMs,
        async () =>
          `no single leader among ${among.map((b) => b.name).join(', ')}; roles: ${last
            .map((r) => `${r.bot.name}=${r.readiness?.role ?? 'no answer'}`)
            .join(' ')}\n${await report()}`,
      );
    },
    async waitForRole(among, role, timeoutMs = 60_000) {
      await until(
        async () => ((await roles(among)).every((r) => r.readiness?.role === role) ? true : undefined),
        timeoutMs,
        async () => `expected ${among.map((b) => b.name).join(', ')} to be ${role}\n${await report()}`,
      );
    },
    report,
    async stop() {
      for (const bot of bots) bot.kill();
      await Promise.all(bots.map((b) => b.ended));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
