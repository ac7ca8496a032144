/**
 * The engine as a shell around evaluate.ts, given only the repositories it declares (in memory
 * here, no SQLite): what one evaluation commits, and that it commits it in one transaction.
 */
import { describe, expect, it } from 'vitest';
import { AlertEngine, type AlertEngineRepos, type AlertEngineTx } from '../../src/alerts/engine.ts';
import type { RuleSpec } from '../../src/alerts/rules.ts';
import { silentLogger } from '../../src/logger.ts';
import type { AlertState, RuleRow } from '../../src/store/index.ts';
import { headline } from './headline.ts';

const ARMED: AlertState = { armed: true, episode: 0, lastFiredMs: null, memo: null };

function row(id: number, spec: RuleSpec, state: AlertState = ARMED): RuleRow {
  return {
    id,
    userId: id,
    platform: 'telegram',
    externalId: String(1000 + id),
    specJson: JSON.stringify(spec),
    cooldownSec: 0,
    paused: false,
    disabledReason: null,
    createdMs: 0,
    state,
  };
}

/** Repositories in memory that record what was written inside and outside a transaction. */
function repos(rows: RuleRow[]) {
  const log: string[] = [];
  let inTransaction = false;
  const note = (what: string) => log.push(inTransaction ? what : `${what} (outside a transaction)`);
  const tx: AlertEngineTx = {
    rules: {
      saveStates: async (states) => {
        note(`states ${states.map((s) => `${s.ruleId}:${s.state.armed}/${s.state.episode}`).join(' ')}`);
      },
    },
    outbox: {
      enqueueMany: async (items) => {
        note(`outbox ${items.map((i) => `${i.idemKey}→${i.destination.chatId}`).join(' ')}`);
        return items.length;
      },
    },
    // Snapshot rows are checked where they are made (metrics.ts); here only that they are written inside.
    snapshots: {
      upsertMany: async () => {
        if (!inTransaction) log.push('snapshots (outside a transaction)');
      },
    },
  };
  const r: AlertEngineRepos = {
    rules: {
      countActive: async () => rows.length,
      eachActive: async (fn) => rows.forEach(fn),
      get: async (id) => rows.find((r) => r.id === id),
      // No other instance changes these rules.
      changeCursor: async () => 0,
      changesSince: async (cursor) => ({ ruleIds: [], cursor }),
      pruneChanges: async () => 0,
    },
    snapshots: { atOrBefore: async () => undefined },
    transaction: async (fn) => {
      inTransaction = true;
      try {
        return await fn(tx);
      } finally {
        inTransaction = false;
      }
    },
  };
  return { repos: r, log };
}

/** A promise settled from outside, to hold a store call open while the test acts. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('AlertEngine (the shell)', () => {
  it('commits the changed states, their alerts and the snapshots in one transaction per evaluation', async () => {
    const { repos: r, log } = repos([
      row(1, { kind: 'threshold', metric: 'price', direction: 'above', value: 90_000 }),
      row(2, { kind: 'threshold', metric: 'price', direction: 'above', value: 95_000 }),
      row(3, { kind: 'ribbons' }, { ...ARMED, memo: 'normal' }),
    ]);
    const engine = new AlertEngine(r, silentLogger);
    await engine.load();
    expect(engine.size).toBe(3);
    expect(await engine.evaluate(headline({ priceUsd: 91_000, ribbons: 'capitulation' }))).toEqual({ fired: 2, checked: 3 });
    // Rule 2 did not change (armed, not above 95,000), so it is not written.
    expect(log).toEqual(['states 1:false/1 3:true/1', 'outbox alert:1:1→1001 alert:3:1→1003']);
    expect(engine.latest?.priceUsd).toBe(91_000);
  });

  it('forgets a pass whose transaction failed, and decides it again on the next evaluation', async () => {
    const { repos: r, log } = repos([row(1, { kind: 'threshold', metric: 'price', direction: 'above', value: 90_000 })]);
    const engine = new AlertEngine(r, silentLogger);
    await engine.load();
    const commit = r.transaction;
    r.transaction = () => Promise.reject(new Error('SQLITE_FULL: database or disk is full'));
    await expect(engine.evaluate(headline({ priceUsd: 91_000 }))).rejects.toThrow(/disk is full/);
    r.transaction = commit;
    expect((await engine.evaluate(headline({ priceUsd: 91_500 }))).fired).toBe(1);
    expect(log).toEqual(['states 1:false/1', 'outbox alert:1:1→1001']);
  });

  it('reloads before the next pass when the reload after a failed pass failed too', async () => {
    const { repos: r, log } = repos([row(1, { kind: 'threshold', metric: 'price', direction: 'above', value: 90_000 })]);
    const engine = new AlertEngine(r, silentLogger);
    await engine.load();
    const commit = r.transaction;
    const count = r.rules.countActive;
    r.transaction = () => Promise.reject(new Error('connection terminated'));
    r.rules.countActive = () => Promise.reject(new Error('connection terminated'));
    await expect(engine.evaluate(headline({ priceUsd: 91_000 }))).rejects.toThrow(/terminated/);
    r.transaction = commit;
    r.rules.countActive = count;
    // Memory still says "fired, disarmed" for a firing never committed: only a reload brings the alert back.
    expect((await engine.evaluate(headline({ priceUsd: 91_500 }))).fired).toBe(1);
    expect(log).toEqual(['states 1:false/1', 'outbox alert:1:1→1001']);
  });

  it('commits passes in the order they were asked for, even when the first one’s transaction is slower', async () => {
    const { repos: r, log } = repos([row(1, { kind: 'threshold', metric: 'price', direction: 'above', value: 90_000 })]);
    const engine = new AlertEngine(r, silentLogger);
    await engine.load();
    const slow = gate();
    const commit = r.transaction;
    let calls = 0;
    r.transaction = async (fn) => {
      if (++calls === 1) await slow.opened;
      return commit(fn);
    };
    const first = engine.evaluate(headline({ atMs: 1000, priceUsd: 91_000 }));
    const second = engine.evaluate(headline({ atMs: 2000, priceUsd: 85_000 }));
    await new Promise((resolve) => setImmediate(resolve));
    slow.open();
    expect([(await first).fired, (await second).fired]).toEqual([1, 0]);
    // The second pass re-armed the rule after the first fired it: written the other way round, the
    // store would keep the older state (disarmed) while memory says armed.
    expect(log).toEqual(['states 1:false/1', 'outbox alert:1:1→1001', 'states 1:true/1', 'outbox ']);
    expect(engine.latest?.atMs).toBe(2000);
  });

  it('keeps a rule added and drops a rule removed while a load was still reading the rows', async () => {
    const rows = [
      row(1, { kind: 'threshold', metric: 'price', direction: 'above', value: 90_000 }),
      row(2, { kind: 'ribbons' }, { ...ARMED, memo: 'normal' }),
    ];
    const { repos: r } = repos(rows);
    const reading = gate();
    const started = gate();
    r.rules.eachActive = async (fn) => {
      started.open();
      await reading.opened;
      // The rows as they were when the read began: rule 2 still there, rule 3 not yet.
      rows.forEach(fn);
    };
    const engine = new AlertEngine(r, silentLogger);
    const loading = engine.load();
    await started.opened;
    engine.track(row(3, { kind: 'threshold', metric: 'price', direction: 'below', value: 80_000 }));
    engine.untrack(2);
    reading.open();
    await loading;
    expect(engine.size).toBe(2);
    expect(await engine.evaluate(headline({ priceUsd: 91_000, ribbons: 'capitulation' }))).toEqual({ fired: 1, checked: 2 });
  });
});
