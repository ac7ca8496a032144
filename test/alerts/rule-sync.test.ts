/**
 * Several instances on one store: any of them answers /alert, /forget and welcome-back, but only
 * the leader's engine evaluates. Here instance A is the leader and B a follower, each with its own
 * store connection and engine, on both backends; A must evaluate what B changed at its next pass.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { accountService } from '../../src/alerts/account.ts';
import { AlertEngine, type AlertEngineRepos } from '../../src/alerts/engine.ts';
import { alertCommands } from '../../src/alerts/service.ts';
import { ThresholdRules } from '../../src/alerts/threshold-rules.ts';
import { silentLogger } from '../../src/logger.ts';
import { openPostgresStore, openStore, type Store } from '../../src/store/index.ts';
import { BACKENDS, type Backend } from '../support/backends.ts';
import { freshDatabase } from '../support/postgres.ts';
import { headline } from './headline.ts';

const alice = { platform: 'telegram', id: '1001', name: 'alice' };
const bob = { platform: 'telegram', id: '1002', name: 'bob' };
const priceAbove = (value: number) => ({ subject: 'price', condition: 'above', value: String(value) });

/** Two connections to one new database, as two processes would hold. */
async function oneDatabaseTwice(backend: Backend): Promise<[Store, Store]> {
  if (backend.name === 'sqlite') {
    const path = join(mkdtempSync(join(tmpdir(), 'hashwatch-rule-sync-')), 'store.db');
    return [openStore(path), openStore(path)];
  }
  const url = await freshDatabase();
  return [await openPostgresStore(url), await openPostgresStore(url)];
}

/** The engine's reads of the store, by name, in order (writes go through the transaction). */
function countedReads(store: Store) {
  const reads: string[] = [];
  const note =
    <A extends unknown[], R>(name: string, f: (...a: A) => R) =>
    (...a: A): R => {
      reads.push(name);
      return f(...a);
    };
  const repos: AlertEngineRepos = {
    rules: {
      countActive: note('countActive', () => store.rules.countActive()),
      eachActive: note('eachActive', (fn) => store.rules.eachActive(fn)),
      get: note('get', (id) => store.rules.get(id)),
      changeCursor: note('changeCursor', () => store.rules.changeCursor()),
      changesSince: note('changesSince', (cursor) => store.rules.changesSince(cursor)),
      pruneChanges: note('pruneChanges', (cursor) => store.rules.pruneChanges(cursor)),
    },
    snapshots: { atOrBefore: note('atOrBefore', (metric, tsSec) => store.snapshots.atOrBefore(metric, tsSec)) },
    transaction: (fn) => store.transaction(fn),
  };
  return { repos, reads };
}

describe.each(BACKENDS)('rule changes made on another instance reach the leader ($name)', (backend) => {
  const open: Store[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const s of open.splice(0)) await s.close();
  });

  async function instances() {
    const [storeA, storeB] = await oneDatabaseTwice(backend);
    open.push(storeA, storeB);
    const clock = { t: Date.UTC(2025, 3, 1, 12) };
    const now = () => clock.t;
    const counted = countedReads(storeA);
    const engineA = new AlertEngine(counted.repos, silentLogger);
    // B never leads here: its engine is only what its commands ask for the starting state.
    const engineB = new AlertEngine(storeB, silentLogger);
    const a = {
      store: storeA,
      engine: engineA,
      alerts: alertCommands({ store: storeA, engine: engineA, maxPerUser: 5, now }),
      reads: counted.reads,
    };
    const b = {
      store: storeB,
      alerts: alertCommands({ store: storeB, engine: engineB, maxPerUser: 5, now }),
      account: accountService({ store: storeB, engine: engineB, now }),
    };
    /** A's pass at this price, a minute after the last. */
    const passAt = async (priceUsd: number) => (await engineA.evaluate(headline({ atMs: (clock.t += 60_000), priceUsd }))).fired;
    const queued = async () => (await storeA.outbox.claim(Number.MAX_SAFE_INTEGER - 10, 1, 1000, ['telegram'])).map((r) => r.idemKey);
    return { a, b, passAt, queued };
  }

  it('a rule added on B is evaluated by A at its next pass', async () => {
    const { a, b, passAt, queued } = await instances();
    await a.engine.load();
    expect(await passAt(85_000)).toBe(0);
    const added = await b.alerts.add(alice, priceAbove(90_000), 0);
    const id = added.data!.ruleId as number;
    // B has seen no numbers: the rule's first evaluation arms it, the crossing after fires.
    expect(await passAt(85_000)).toBe(0);
    expect(await passAt(91_000)).toBe(1);
    expect(await queued()).toEqual([`alert:${id}:1`]);
  });

  it('a rule removed on B is no longer evaluated by A', async () => {
    const { a, b, passAt, queued } = await instances();
    await a.engine.load();
    expect(await passAt(85_000)).toBe(0);
    const id = (await a.alerts.add(alice, priceAbove(90_000), 0)).data!.ruleId as number;
    const kept = (await a.alerts.add(bob, priceAbove(90_000), 0)).data!.ruleId as number;
    expect((await b.alerts.remove(alice, id)).title).toBe(`Alert #${id} removed`);
    expect(await passAt(91_000)).toBe(1);
    expect(await queued()).toEqual([`alert:${kept}:1`]);
  });

  it('a rule paused on B stops firing on A; resumed on B, A evaluates it again', async () => {
    const { a, b, passAt, queued } = await instances();
    await a.engine.load();
    expect(await passAt(85_000)).toBe(0);
    const id = (await a.alerts.add(alice, priceAbove(90_000), 0)).data!.ruleId as number;
    await b.alerts.pause(alice, id);
    expect(await passAt(91_000)).toBe(0);
    expect(await passAt(85_000)).toBe(0);
    await b.alerts.resume(alice, id);
    expect(await passAt(85_000)).toBe(0); // resumed without numbers on B: this pass arms it
    expect(await passAt(91_000)).toBe(1);
    expect(await queued()).toEqual([`alert:${id}:1`]);
  });

  it('/forget on B stops every rule of that person on A', async () => {
    const { a, b, passAt, queued } = await instances();
    await a.engine.load();
    expect(await passAt(85_000)).toBe(0);
    await a.alerts.add(alice, priceAbove(90_000), 0);
    await a.alerts.add(alice, priceAbove(88_000), 0);
    const kept = (await a.alerts.add(bob, priceAbove(90_000), 0)).data!.ruleId as number;
    expect((await b.account.forget(alice)).ruleIds).toHaveLength(2);
    expect(await passAt(91_000)).toBe(1);
    expect(await queued()).toEqual([`alert:${kept}:1`]);
  });

  it('rules resumed by a welcome back on B are evaluated by A again', async () => {
    const { a, b, passAt, queued } = await instances();
    await a.engine.load();
    expect(await passAt(85_000)).toBe(0);
    const id = (await a.alerts.add(alice, priceAbove(90_000), 0)).data!.ruleId as number;
    // The leader's outbox worker found alice unreachable (it untracks her rules itself).
    await a.store.rules.disableForUser('telegram', alice.id, 'blocked');
    a.engine.untrackDestination({ platform: 'telegram', chatId: alice.id, kind: 'user' });
    expect(await passAt(85_000)).toBe(0);
    expect(await b.account.welcomeBack(alice, 'private')).toHaveLength(1);
    expect(await passAt(85_000)).toBe(0); // re-armed without numbers on B
    expect(await passAt(91_000)).toBe(1);
    expect(await queued()).toEqual([`alert:${id}:1`]);
  });

  it('a rule added on B while A loads is applied by the pass after the load', async () => {
    const { a, b, passAt, queued } = await instances();
    await a.alerts.add(bob, priceAbove(90_000), 0);
    let addedMeanwhile: number | undefined;
    const eachActive = a.store.rules.eachActive;
    // Between the rows streamed and the load's end: not in what A read, so only the cursor taken before can catch it.
    vi.spyOn(a.store.rules, 'eachActive').mockImplementation(async (fn) => {
      await eachActive(fn);
      addedMeanwhile = (await b.alerts.add(alice, priceAbove(90_000), 0)).data!.ruleId as number;
    });
    await a.engine.load();
    expect(a.engine.size).toBe(1);
    expect(await passAt(85_000)).toBe(0);
    expect(await passAt(91_000)).toBe(2);
    expect((await queued()).sort()).toEqual([`alert:1:1`, `alert:${addedMeanwhile}:1`].sort());
  });

  it('a rule removed on A while its pass reads the row back stays removed', async () => {
    const { a, b, passAt, queued } = await instances();
    await a.engine.load();
    expect(await passAt(85_000)).toBe(0);
    const id = (await a.alerts.add(alice, priceAbove(90_000), 0)).data!.ruleId as number;
    const kept = (await a.alerts.add(bob, priceAbove(90_000), 0)).data!.ruleId as number;
    await b.alerts.pause(alice, id);
    await b.alerts.resume(alice, id);
    const get = a.store.rules.get;
    // The pass reads alice's rule as active, then /alert remove on A deletes and untracks it before the pass places it.
    vi.spyOn(a.store.rules, 'get').mockImplementation(async (ruleId) => {
      const row = await get(ruleId);
      if (ruleId === id) await a.alerts.remove(alice, id);
      return row;
    });
    expect(await passAt(85_000)).toBe(0);
    expect(await passAt(91_000)).toBe(1);
    expect(await queued()).toEqual([`alert:${kept}:1`]);
  });

  it('a pass with no change costs one query; a change, one more per changed rule and never a reload', async () => {
    const { a, b, passAt } = await instances();
    await a.alerts.add(alice, priceAbove(90_000), 0);
    await a.alerts.add(bob, priceAbove(95_000), 0);
    await a.engine.load();
    expect(a.reads).toEqual(['changeCursor', 'countActive', 'eachActive']);
    await passAt(85_000);
    await passAt(86_000);
    a.reads.length = 0;
    expect(await passAt(87_000)).toBe(0);
    expect(a.reads).toEqual(['changesSince']);
    a.reads.length = 0;
    await b.alerts.pause(alice, 1);
    await b.alerts.pause(bob, 2);
    await passAt(87_000);
    expect(a.reads).toEqual(['changesSince', 'get', 'get', 'pruneChanges']);
    // What the pass applied is gone from the log; nothing newer was lost.
    expect(await a.store.rules.changesSince(0)).toEqual({ ruleIds: [], cursor: 0 });
    a.reads.length = 0;
    await passAt(87_000);
    expect(a.reads).toEqual(['changesSince']);
  });

  it('a rule changed on A itself is not placed again when A applies the change log', async () => {
    const { a, passAt, queued } = await instances();
    await a.engine.load();
    expect(await passAt(85_000)).toBe(0);
    const add = vi.spyOn(ThresholdRules.prototype, 'add');
    const id = (await a.alerts.add(alice, priceAbove(90_000), 0)).data!.ruleId as number;
    expect(add).toHaveBeenCalledTimes(1);
    // The pass reads the rule back (its insert is in the log) and finds it tracked as stored.
    expect(await passAt(91_000)).toBe(1);
    expect(add).toHaveBeenCalledTimes(1);
    expect(a.reads.filter((r) => r === 'get')).toHaveLength(1);
    expect(await queued()).toEqual([`alert:${id}:1`]);
  });
});
