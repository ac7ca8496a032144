/**
 * One phase of the store benchmark (bench/store.ts) on one engine, each phase in a process of its
 * own, so that memory figures start from a process holding nothing else (the seed's arrays, the
 * outbox rounds' garbage, or the other engine's heap would otherwise move RSS either way):
 * - seed: migrates an empty store, then writes the rules in bulk;
 * - outbox: messages queued, then drained through the real OutboxWorker by a sender that accepts
 *   everything at once (no platform, no rate limit): what the store lets it send, and each claim's time;
 * - alerts: the real AlertEngine loads the rules (time, memory), then evaluates a walk of the
 *   hashprice, each pass committing its states and outbox rows.
 *
 * `store-backend.ts seed|outbox|alerts` with the store's location (a SQLite file path or a
 * postgres:// URL, as DATABASE_URL) in BENCH_STORE: not an argument, since process lists show
 * arguments and the URL holds a password. Prints its figures as JSON after @@FIGURES@@.
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { AlertEngine } from '../src/alerts/engine.ts';
import type { Destination } from '../src/core/delivery.ts';
import type { Reply } from '../src/core/reply.ts';
import { OutboxWorker } from '../src/delivery/outbox-worker.ts';
import { silentLogger } from '../src/logger.ts';
import { openStoreAt, type Store } from '../src/store/index.ts';
import { headlineAt } from './headline.ts';
import { collector, liveBytes } from './memory.ts';
import { random } from './random.ts';
import { median, quantile } from './stats.ts';

const MESSAGES = 5_000;
const ROUNDS = 3;
const RULES = 100_000;
const MOVES = 40;
/** Rules per user: the default per-user limit, as in bench/alerts.ts. */
const RULES_PER_USER = 25;
/** When the rules were made and the walk starts (fixed, so runs compare). */
const T0 = Date.UTC(2025, 3, 1);

interface SeedFigures {
  sizes: { messages: number; rounds: number; rules: number; moves: number };
  seedMs: number;
}

interface OutboxFigures {
  /** Messages per second of each round, in order. */
  deliveryRates: number[];
  enqueueMs: number[];
  claimMs: { median: number; p99: number; count: number };
}

interface AlertFigures {
  loadMs: number;
  rssAddedBytes: number;
  liveAddedBytes: number;
  /** Per timed pass. */
  evaluateMs: number[];
  fired: number;
  avgChecked: number;
}

export type BackendFigures = SeedFigures & OutboxFigures & AlertFigures;

const REPLY: Reply = {
  title: 'Hashprice is above $50.00/PH/day',
  lines: ['Now $50.12/PH/day (was $49.97 an hour ago).'],
  sections: [{ fields: [{ label: 'Hashprice', value: '$50.12/PH/day', inline: true }] }],
  footer: ['mempool.space · block 890,440 · 1 min ago'],
  tone: 'up',
};

/** The store as the worker sees it, with every claim timed. */
function timingClaims(store: Store, samples: number[]): Store {
  const claim: Store['outbox']['claim'] = async (...args) => {
    const t0 = performance.now();
    try {
      return await store.outbox.claim(...args);
    } finally {
      samples.push(performance.now() - t0);
    }
  };
  return { ...store, outbox: { ...store.outbox, claim } };
}

async function outbox(store: Store): Promise<OutboxFigures> {
  const claims: number[] = [];
  // Default concurrency and lease: what the bot runs with.
  const worker = new OutboxWorker({
    store: timingClaims(store, claims),
    senders: [{ platform: 'telegram', send: async () => ({ ok: true, messageIds: ['1'] }) }],
    log: silentLogger,
  });
  const deliveryRates: number[] = [];
  const enqueueMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const items = Array.from({ length: MESSAGES }, (_, i) => ({
      idemKey: `bench:${round}:${i}`,
      destination: { platform: 'telegram', chatId: String((i % 1000) + 1), kind: 'user' } satisfies Destination,
      reply: REPLY,
    }));
    let t0 = performance.now();
    const added = await store.outbox.enqueueMany(items, Date.now());
    enqueueMs.push(performance.now() - t0);
    t0 = performance.now();
    const sent = await worker.drain();
    const ms = performance.now() - t0;
    if (added !== MESSAGES || sent !== MESSAGES) throw new Error(`round ${round}: queued ${added}, sent ${sent} of ${MESSAGES}`);
    deliveryRates.push((MESSAGES / ms) * 1000);
  }
  const counts = await store.outbox.counts();
  if (counts.sent !== ROUNDS * MESSAGES || counts.pending + counts.sending + counts.failed > 0)
    throw new Error(`outbox after the rounds: ${JSON.stringify(counts)}`);
  return { deliveryRates, enqueueMs, claimMs: { median: median(claims), p99: quantile(claims, 0.99), count: claims.length } };
}

interface Seed {
  users: number;
  /** Per rule (id = index + 1): its owner and spec. */
  userIds: number[];
  specs: string[];
}

function seedRows(): Seed {
  const rand = random(7);
  const userIds: number[] = [];
  const specs: string[] = [];
  for (let i = 0; i < RULES; i++) {
    const direction = rand() < 0.5 ? 'above' : 'below';
    const value = 20 + Math.round(rand() * 6000) / 100; // $20.00 … $80.00 per PH/day
    userIds.push(Math.floor(i / RULES_PER_USER) + 1);
    specs.push(JSON.stringify({ kind: 'threshold', metric: 'hashprice', direction, value }));
  }
  return { users: Math.ceil(RULES / RULES_PER_USER), userIds, specs };
}

/** SQLite: one transaction of prepared inserts on a second connection (the store's is idle meanwhile). */
function seedSqlite(path: string, seed: Seed, nowMs: number): void {
  const db = new Database(path);
  try {
    const user = db.prepare("INSERT INTO users (id, platform, external_id, created_ms) VALUES (?, 'telegram', ?, ?)");
    const rule = db.prepare('INSERT INTO alert_rules (id, user_id, spec, cooldown_sec, created_ms) VALUES (?, ?, ?, 0, ?)');
    const state = db.prepare('INSERT INTO alert_state (rule_id, armed, episode, updated_ms) VALUES (?, NULL, 0, ?)');
    db.transaction(() => {
      for (let u = 1; u <= seed.users; u++) user.run(u, String(u), nowMs);
      for (let i = 0; i < RULES; i++) {
        rule.run(i + 1, seed.userIds[i], seed.specs[i], nowMs);
        state.run(i + 1, nowMs);
      }
    })();
  } finally {
    db.close();
  }
}

/** PostgreSQL: one statement per table, the rows passed as arrays (unnest), not a round trip per row. */
async function seedPostgres(url: string, seed: Seed, nowMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    // Explicit ids (the identity columns are GENERATED ALWAYS), so rule i belongs to the same user on both engines.
    await client.query(
      `INSERT INTO users (id, platform, external_id, created_ms) OVERRIDING SYSTEM VALUE
       SELECT g, 'telegram', g::text, $2 FROM generate_series(1, $1::bigint) g`,
      [seed.users, nowMs],
    );
    await client.query(
      `INSERT INTO alert_rules (id, user_id, spec, cooldown_sec, created_ms) OVERRIDING SYSTEM VALUE
       SELECT ord, user_id, spec, 0, $3 FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS t(user_id, spec, ord)`,
      [seed.userIds, seed.specs, nowMs],
    );
    await client.query(
      'INSERT INTO alert_state (rule_id, armed, episode, updated_ms) SELECT g, NULL, 0, $2 FROM generate_series(1, $1::bigint) g',
      [RULES, nowMs],
    );
    await client.query('COMMIT');
    // Autovacuum would analyse tables this size shortly after such a load; without statistics the
    // planner guesses, and the first passes would measure its guess rather than the store.
    await client.query('ANALYZE users, alert_rules, alert_state');
  } finally {
    await client.end();
  }
}

function walk(rand: () => number, start: number): number[] {
  const xs = [start];
  for (let i = 0; i < MOVES; i++) xs.push(Math.max(21, Math.min(79, xs.at(-1)! + (rand() - 0.5) * 0.4)));
  return xs;
}

async function alerts(store: Store): Promise<AlertFigures> {
  const gc = collector();
  const liveBefore = liveBytes(gc);
  const rssBefore = process.memoryUsage().rss;
  const engine = new AlertEngine(store, silentLogger);
  const loadStart = performance.now();
  await engine.load();
  const loadMs = performance.now() - loadStart;
  const liveAddedBytes = liveBytes(gc) - liveBefore;
  const rssAddedBytes = process.memoryUsage().rss - rssBefore;
  if (engine.size !== RULES) throw new Error(`engine loaded ${engine.size} of ${RULES} rules`);
  const xs = walk(random(11), 50);
  await engine.evaluate(headlineAt(T0, xs[0]!)); // first look: every rule takes its starting state (not timed)
  const evaluateMs: number[] = [];
  let fired = 0;
  let checked = 0;
  for (let m = 1; m < xs.length; m++) {
    const s = performance.now();
    const r = await engine.evaluate(headlineAt(T0 + m * 60_000, xs[m]!));
    evaluateMs.push(performance.now() - s);
    fired += r.fired;
    checked += r.checked;
  }
  return { loadMs, rssAddedBytes, liveAddedBytes, evaluateMs, fired, avgChecked: Math.round(checked / MOVES) };
}

async function seed(location: string): Promise<SeedFigures> {
  // Opening migrates the empty database; the rows then go in without the repositories.
  await (await openStoreAt(location)).close();
  const rows = seedRows();
  const t0 = performance.now();
  if (/^postgres(ql)?:\/\//i.test(location)) await seedPostgres(location, rows, T0);
  else seedSqlite(location, rows, T0);
  return { sizes: { messages: MESSAGES, rounds: ROUNDS, rules: RULES, moves: MOVES }, seedMs: performance.now() - t0 };
}

async function main(): Promise<SeedFigures | OutboxFigures | AlertFigures> {
  const phase = process.argv[2];
  const location = process.env.BENCH_STORE;
  if (!location || !['seed', 'outbox', 'alerts'].includes(phase ?? ''))
    throw new Error('usage: BENCH_STORE=<path|postgres://…> store-backend.ts seed|outbox|alerts');
  if (phase === 'seed') return seed(location);
  const store = await openStoreAt(location);
  try {
    return phase === 'outbox' ? await outbox(store) : await alerts(store);
  } finally {
    await store.close();
  }
}

process.stdout.write(`\n@@FIGURES@@${JSON.stringify(await main())}\n`);
