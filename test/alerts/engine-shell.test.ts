/**
 * The engine as a shell around evaluate.ts, given only the repositories it declares (in memory
 * here, no SQLite): what one evaluation commits, and that it commits it in one transaction.
 */
import { describe, expect, it } from 'vitest';
import { AlertEngine, type AlertEngineRepos } from '../../src/alerts/engine.ts';
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
  const r: AlertEngineRepos = {
    rules: {
      countActive: () => rows.length,
      eachActive: (fn) => rows.forEach(fn),
      saveStates: (states) => note(`states ${states.map((s) => `${s.ruleId}:${s.state.armed}/${s.state.episode}`).join(' ')}`),
    },
    outbox: {
      enqueueMany: (items) => {
        note(`outbox ${items.map((i) => `${i.idemKey}→${i.destination.chatId}`).join(' ')}`);
        return items.length;
      },
    },
    // Snapshot rows are checked where they are made (metrics.ts); here only that they are written inside.
    snapshots: { atOrBefore: () => undefined, upsertMany: () => void (inTransaction || log.push('snapshots (outside a transaction)')) },
    transaction: (fn) => {
      inTransaction = true;
      try {
        return fn();
      } finally {
        inTransaction = false;
      }
    },
  };
  return { repos: r, log };
}

describe('AlertEngine (the shell)', () => {
  it('commits the changed states, their alerts and the snapshots in one transaction per evaluation', () => {
    const { repos: r, log } = repos([
      row(1, { kind: 'threshold', metric: 'price', direction: 'above', value: 90_000 }),
      row(2, { kind: 'threshold', metric: 'price', direction: 'above', value: 95_000 }),
      row(3, { kind: 'ribbons' }, { ...ARMED, memo: 'normal' }),
    ]);
    const engine = new AlertEngine(r, silentLogger);
    engine.load();
    expect(engine.size).toBe(3);
    expect(engine.evaluate(headline({ priceUsd: 91_000, ribbons: 'capitulation' }))).toEqual({ fired: 2, checked: 3 });
    // Rule 2 did not change (armed, not above 95,000), so it is not written.
    expect(log).toEqual(['states 1:false/1 3:true/1', 'outbox alert:1:1→1001 alert:3:1→1003']);
    expect(engine.latest?.priceUsd).toBe(91_000);
  });

  it('forgets a pass whose transaction failed, and decides it again on the next evaluation', () => {
    const { repos: r, log } = repos([row(1, { kind: 'threshold', metric: 'price', direction: 'above', value: 90_000 })]);
    const engine = new AlertEngine(r, silentLogger);
    engine.load();
    const commit = r.transaction;
    r.transaction = () => {
      throw new Error('SQLITE_FULL: database or disk is full');
    };
    expect(() => engine.evaluate(headline({ priceUsd: 91_000 }))).toThrow(/disk is full/);
    r.transaction = commit;
    expect(engine.evaluate(headline({ priceUsd: 91_500 })).fired).toBe(1);
    expect(log).toEqual(['states 1:false/1', 'outbox alert:1:1→1001']);
  });
});
