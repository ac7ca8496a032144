/**
 * Alerts benchmark:
 * - evaluating 1,000,000 threshold rules when a metric moves: the index (only rules whose threshold
 *   or re-arm point lies between the old and the new value are touched) against a scan of all rules,
 *   on identical state, checked to agree;
 * - the same look-up answered by SQLite indexes instead of memory (the alternative not taken);
 * - the same through the real AlertEngine with its SQLite store (state and outbox writes included),
 *   next to a naive scan of the same rules;
 * - memory (RSS) with 1,000,000 rules loaded in the engine, next to one object per rule.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { AlertEngine } from '../src/alerts/engine.ts';
import { rearmMargin } from '../src/alerts/metrics.ts';
import { ThresholdIndex } from '../src/alerts/threshold-index.ts';
import { silentLogger } from '../src/logger.ts';
import { openStore } from '../src/store/index.ts';
import { headlineAt } from './headline.ts';
import { collector, liveBytes } from './memory.ts';
import { random } from './random.ts';
import { median } from './stats.ts';
import type { BenchResult } from './types.ts';

const RULES = 1_000_000;
const MOVES = 40;

interface Rules {
  above: Uint8Array;
  value: Float64Array;
  margin: Float64Array;
}

function makeRules(rand: () => number): Rules {
  const r: Rules = { above: new Uint8Array(RULES), value: new Float64Array(RULES), margin: new Float64Array(RULES) };
  for (let i = 0; i < RULES; i++) {
    r.above[i] = rand() < 0.5 ? 1 : 0;
    r.value[i] = 20 + Math.round(rand() * 6000) / 100; // $20.00 … $80.00 per PH/day
    r.margin[i] = rearmMargin('hashprice', r.value[i]!);
  }
  return r;
}

/** One rule's step: 1 armed, 0 disarmed; returns whether it fired. */
function step(r: Rules, armed: Uint8Array, i: number, x: number): boolean {
  const v = r.value[i]!;
  if (armed[i]) {
    if (r.above[i] ? x > v : x < v) {
      armed[i] = 0;
      return true;
    }
  } else if (r.above[i] ? x <= v - r.margin[i]! : x >= v + r.margin[i]!) {
    armed[i] = 1;
  }
  return false;
}

function walk(rand: () => number, start: number): number[] {
  const xs = [start];
  for (let i = 0; i < MOVES; i++) xs.push(Math.max(21, Math.min(79, xs.at(-1)! + (rand() - 0.5) * 0.4)));
  return xs;
}

function benchIndex(): BenchResult[] {
  const rand = random(42);
  const rules = makeRules(rand);
  const index = new ThresholdIndex();
  for (let i = 0; i < RULES; i++) index.add(i, 'hashprice', rules.above[i] ? 'above' : 'below', rules.value[i]!, rules.margin[i]!);
  index.build();
  const xs = walk(rand, 50);
  const armedIndexed = new Uint8Array(RULES);
  const armedNaive = new Uint8Array(RULES);
  // Same start for both: armed where the condition does not hold at the first value.
  for (let i = 0; i < RULES; i++) {
    const holds = rules.above[i] ? xs[0]! > rules.value[i]! : xs[0]! < rules.value[i]!;
    armedIndexed[i] = armedNaive[i] = holds ? 0 : 1;
  }
  const indexed: number[] = [];
  const lookups: number[] = [];
  const naive: number[] = [];
  let touched = 0;
  let firedIndexed = 0;
  let firedNaive = 0;
  for (let m = 1; m < xs.length; m++) {
    const [from, to] = [xs[m - 1]!, xs[m]!];
    let t0 = performance.now();
    const hit = index.crossed('hashprice', from, to);
    lookups.push(performance.now() - t0);
    for (const id of hit) if (step(rules, armedIndexed, id, to)) firedIndexed++;
    indexed.push(performance.now() - t0);
    touched += hit.length;
    t0 = performance.now();
    for (let i = 0; i < RULES; i++) if (step(rules, armedNaive, i, to)) firedNaive++;
    naive.push(performance.now() - t0);
  }
  const agree = firedIndexed === firedNaive && armedIndexed.every((a, i) => a === armedNaive[i]);
  const mi = median(indexed);
  const mn = median(naive);
  return [
    {
      name: 'evaluate 1M threshold rules, indexed (median per move)',
      value: Number(mi.toFixed(3)),
      unit: 'ms',
      target: 'touch only crossed rules',
      ok: agree,
      details: {
        moves: MOVES,
        avgRulesTouched: Math.round(touched / MOVES),
        fired: firedIndexed,
        agreesWithScan: agree ? 'yes' : 'NO',
        lookUpOnlyMs: Number(median(lookups).toFixed(3)),
      },
    },
    { name: 'evaluate 1M threshold rules, naive scan (median per move)', value: Number(mn.toFixed(3)), unit: 'ms' },
    { name: 'speed-up of the index over the scan', value: Number((mn / mi).toFixed(1)), unit: '×', target: '≫ 1', ok: mn / mi > 10 },
    ...benchDatabaseIndex(rules, xs, hit0(index, xs)),
  ];
}

/** How many rules the in-memory index returns on the first move (the database variant must agree). */
function hit0(index: ThresholdIndex, xs: number[]): number {
  return index.crossed('hashprice', xs[0]!, xs[1]!).length;
}

/**
 * The alternative the index was chosen over: SQLite's own B-tree indexes answering "which fire or
 * re-arm points lie between the old and the new value" (nothing held in memory, a query per move).
 */
function benchDatabaseIndex(rules: Rules, xs: number[], expectedFirst: number): BenchResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'hashwatch-bench-'));
  const db = new Database(join(dir, 'index.db'));
  try {
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, above INTEGER NOT NULL, fire REAL NOT NULL, rearm REAL NOT NULL);
             CREATE INDEX t_fire ON t (above, fire); CREATE INDEX t_rearm ON t (above, rearm);`);
    const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < RULES; i++)
        insert.run(
          i,
          rules.above[i],
          rules.value[i],
          rules.above[i] ? rules.value[i]! - rules.margin[i]! : rules.value[i]! + rules.margin[i]!,
        );
    })();
    const up = db
      .prepare(
        'SELECT id FROM t WHERE above = 1 AND fire >= @lo AND fire < @hi UNION ALL SELECT id FROM t WHERE above = 0 AND rearm > @lo AND rearm <= @hi',
      )
      .pluck();
    const down = db
      .prepare(
        'SELECT id FROM t WHERE above = 1 AND rearm >= @lo AND rearm < @hi UNION ALL SELECT id FROM t WHERE above = 0 AND fire > @lo AND fire <= @hi',
      )
      .pluck();
    const crossed = (from: number, to: number) => (to > from ? up.all({ lo: from, hi: to }) : down.all({ lo: to, hi: from })) as number[];
    const agrees = crossed(xs[0]!, xs[1]!).length === expectedFirst;
    const samples: number[] = [];
    for (let m = 1; m < xs.length; m++) {
      const t0 = performance.now();
      crossed(xs[m - 1]!, xs[m]!);
      samples.push(performance.now() - t0);
    }
    return [
      {
        name: 'the same look-up through SQLite indexes instead (median per move, no rule in memory)',
        value: Number(median(samples).toFixed(3)),
        unit: 'ms',
        details: { agreesWithIndex: agrees ? 'yes' : 'NO', dbFileMB: Math.round(statSync(join(dir, 'index.db')).size / 1e6) },
      },
    ];
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Live bytes a million rules take held the naive way, one object each with its state (as the
 * engine did before issue 14). Heap, not RSS: late in a busy process RSS also moves with what the
 * allocator returns, while live bytes compare like with like.
 */
function naiveLiveBytes(rand: () => number, gc: () => void): number {
  const before = liveBytes(gc);
  const held = new Map<number, object>();
  for (let i = 0; i < RULES; i++) {
    const direction = rand() < 0.5 ? 'above' : 'below';
    const value = 20 + Math.round(rand() * 6000) / 100;
    held.set(i + 1, {
      id: i + 1,
      destination: { platform: 'telegram', chatId: String(Math.floor(i / 25) + 1), kind: 'user' },
      spec: { kind: 'threshold', metric: 'hashprice', direction, value },
      cooldownSec: 0,
      state: { armed: null, episode: 0, lastFiredMs: null, memo: null },
    });
  }
  const added = liveBytes(gc) - before;
  held.clear();
  return added;
}

async function benchEngine(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hashwatch-bench-'));
  const store = openStore(join(dir, 'bench.db'));
  try {
    const rand = random(7);
    const rules = makeRules(rand);
    const t0 = Date.UTC(2025, 3, 1);
    const spec = (i: number) =>
      JSON.stringify({ kind: 'threshold', metric: 'hashprice', direction: rules.above[i] ? 'above' : 'below', value: rules.value[i] });
    await store.transaction(async (tx) => {
      // One user per 25 rules (the default per-user limit).
      for (let i = 0; i < RULES; i++) {
        const userId = i % 25 === 0 ? await tx.users.ensure('telegram', String(i / 25 + 1), undefined, t0) : i / 25 + 1;
        await tx.rules.insert(
          { userId: Math.floor(userId), specJson: spec(i), cooldownSec: 0, createdMs: t0 },
          { armed: null, episode: 0, lastFiredMs: null, memo: null },
        );
      }
    });
    const gc = collector();
    const liveBefore = liveBytes(gc);
    const rssBefore = process.memoryUsage().rss;
    const engine = new AlertEngine(store, silentLogger);
    const loadStart = performance.now();
    await engine.load();
    const loadMs = performance.now() - loadStart;
    const liveAdded = liveBytes(gc) - liveBefore;
    const rssAfter = process.memoryUsage().rss;
    const xs = walk(rand, 50);
    await engine.evaluate(headlineAt(t0, xs[0]!)); // first look: every rule takes its starting state
    const samples: number[] = [];
    let fired = 0;
    for (let m = 1; m < xs.length; m++) {
      const s = performance.now();
      fired += (await engine.evaluate(headlineAt(t0 + m * 60_000, xs[m]!))).fired;
      samples.push(performance.now() - s);
    }
    // The same walk scanned naively over the same 1M rules (no store): the baseline in this run.
    const scanArmed = new Uint8Array(RULES).fill(1);
    const scan: number[] = [];
    for (let m = 1; m < xs.length; m++) {
      const s = performance.now();
      for (let i = 0; i < RULES; i++) step(rules, scanArmed, i, xs[m]!);
      scan.push(performance.now() - s);
    }
    const engineMs = median(samples);
    const scanMs = median(scan);
    const rss = rssAfter - rssBefore;
    const objectsLive = naiveLiveBytes(random(7), gc);
    return [
      {
        name: 'AlertEngine.evaluate with 1M rules in SQLite (median per move, state + outbox writes)',
        value: Number(engineMs.toFixed(2)),
        unit: 'ms',
        target: '< 20 ms',
        ok: engineMs < 20,
        details: {
          moves: MOVES,
          alertsQueued: fired,
          loadMs: Math.round(loadMs),
          naiveScanMs: Number(scanMs.toFixed(2)),
          ratioToNaiveScan: Number((engineMs / scanMs).toFixed(2)),
        },
      },
      {
        name: 'RSS added by 1M rules loaded in the engine',
        value: Math.round(rss / 1e6),
        unit: 'MB',
        target: '< 150 MB',
        ok: rss < 150e6,
        details: {
          bytesPerRule: Math.round(rss / RULES),
          rssWithRulesMB: Math.round(rssAfter / 1e6),
          liveBytesMB: Math.round(liveAdded / 1e6),
          oneObjectPerRuleLiveMB: Math.round(objectsLive / 1e6),
          liveRatioToObjects: Number((liveAdded / objectsLive).toFixed(2)),
        },
      },
    ];
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...benchIndex(), ...(await benchEngine())];
}
