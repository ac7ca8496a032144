/**
 * leaderOnly: the leader-only work starts when this process leads and is stopped when it no longer
 * does, one transition at a time. Role changes are scripted here to reach the awkward orders
 * (flapping during a slow start); the last test runs it on two real PostgreSQL leaderships.
 */
import { performance } from 'node:perf_hooks';
import { afterEach, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { leaderOnly, type LeaderOnly } from '../../src/cluster/leader-only.ts';
import { singleLeadership, type Leadership, type Role } from '../../src/cluster/leadership.ts';
import { postgresLeadership } from '../../src/cluster/postgres-leadership.ts';
import { freshDatabase } from '../support/postgres.ts';
import { until } from './until.ts';

const running: LeaderOnly[] = [];
const leaderships: Leadership[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop()));
  await Promise.all(leaderships.splice(0).map((l) => l.stop()));
});

/** A leadership whose role the test sets; emits like the real one, after the role changed. */
function scripted() {
  let leader = false;
  const listeners = new Set<(role: Role) => void>();
  const leadership: Leadership & { set(lead: boolean): void } = {
    set(lead) {
      leader = lead;
      for (const l of listeners) l(lead ? 'leader' : 'follower');
    },
    role: () => (leader ? 'leader' : 'follower'),
    isLeader: () => leader,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start: async () => {},
    stop: async () => {},
  };
  return leadership;
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Work that records its starts and stops, and how many copies ran at once. */
function work(name = 'work', calls: string[] = []) {
  let copies = 0;
  let mostCopies = 0;
  let startGate: Promise<void> = Promise.resolve();
  const start = async () => {
    copies++;
    mostCopies = Math.max(mostCopies, copies);
    calls.push(`${name} start`);
    await startGate;
    return async () => {
      calls.push(`${name} stop`);
      copies--;
    };
  };
  return {
    start,
    calls,
    mostCopies: () => mostCopies,
    holdStarts(gate: Promise<void>) {
      startGate = gate;
    },
  };
}

function capturedLog() {
  const messages: string[] = [];
  const log = createLogger({ level: 'debug' }, { write: (line: string) => messages.push(JSON.parse(line).msg) });
  return { log, messages };
}

it('starts the work when this process becomes leader and stops it when it no longer is', async () => {
  const leadership = scripted();
  const w = work();
  const handle = leaderOnly(leadership, w.start, silentLogger);
  running.push(handle);
  await new Promise((r) => setTimeout(r, 20));
  expect(w.calls).toEqual([]);

  leadership.set(true);
  await until(() => w.calls.length === 1, 'the start', 5_000);
  leadership.set(false);
  await until(() => w.calls.length === 2, 'the stop', 5_000);
  leadership.set(true);
  await until(() => w.calls.length === 3, 'the second start', 5_000);
  await handle.stop();
  expect(w.calls).toEqual(['work start', 'work stop', 'work start', 'work stop']);
});

it('never runs two copies when the role flaps during a slow start', async () => {
  const leadership = scripted();
  const w = work();
  const gate = deferred();
  w.holdStarts(gate.promise);
  const handle = leaderOnly(leadership, w.start, silentLogger);
  running.push(handle);

  leadership.set(true);
  await until(() => w.calls.length === 1, 'the start to begin', 5_000);
  leadership.set(false);
  leadership.set(true);
  leadership.set(false);
  await new Promise((r) => setTimeout(r, 20));
  expect(w.calls).toEqual(['work start']);
  gate.resolve();
  await until(() => w.calls.length === 2, 'the stop', 5_000);
  leadership.set(true);
  await until(() => w.calls.length === 3, 'the next start', 5_000);
  // Each change is judged by the role when its turn comes: a loss already undone leaves the work running.
  leadership.set(false);
  leadership.set(true);
  await new Promise((r) => setTimeout(r, 50));
  expect(w.calls).toEqual(['work start', 'work stop', 'work start']);
  expect(w.mostCopies()).toBe(1);
});

it('logs a start that fails and tries again while still leader, but not once it no longer leads', async () => {
  const leadership = scripted();
  const { log, messages } = capturedLog();
  let attempts = 0;
  const handle = leaderOnly(
    leadership,
    async () => {
      attempts++;
      if (attempts < 3) throw new Error('upstream not ready');
      return async () => {};
    },
    log,
    { startRetryMs: 10 },
  );
  running.push(handle);
  leadership.set(true);
  await until(() => messages.includes('leader-only work started'), 'the third attempt', 5_000);
  expect(attempts).toBe(3);
  expect(messages.filter((m) => m === 'leader-only work failed to start; retrying')).toHaveLength(2);

  const failing = scripted();
  let failures = 0;
  running.push(
    leaderOnly(
      failing,
      async () => {
        failures++;
        throw new Error('never starts');
      },
      silentLogger,
      { startRetryMs: 10 },
    ),
  );
  failing.set(true);
  await until(() => failures >= 1, 'a first attempt', 5_000);
  failing.set(false);
  const after = failures;
  await new Promise((r) => setTimeout(r, 100));
  expect(failures).toBe(after);
});

it('logs a stop that fails and starts afresh on the next leadership', async () => {
  const leadership = scripted();
  const { log, messages } = capturedLog();
  let starts = 0;
  const handle = leaderOnly(
    leadership,
    async () => {
      starts++;
      return async () => {
        throw new Error('socket already closed');
      };
    },
    log,
  );
  running.push(handle);
  leadership.set(true);
  await until(() => starts === 1, 'the start', 5_000);
  leadership.set(false);
  await until(() => messages.includes('leader-only work failed to stop cleanly'), 'the failed stop to be logged', 5_000);
  leadership.set(true);
  await until(() => starts === 2, 'the next start', 5_000);
});

it('with one process on SQLite the work starts at once and stops on shutdown', async () => {
  const leadership = singleLeadership();
  await leadership.start();
  expect(leadership.role()).toBe('single');
  expect(leadership.isLeader()).toBe(true);
  const w = work();
  const handle = leaderOnly(leadership, w.start, silentLogger);
  await until(() => w.calls.length === 1, 'the start', 5_000);
  await handle.stop();
  expect(w.calls).toEqual(['work start', 'work stop']);
  await leadership.stop();
});

it('hands the work from one PostgreSQL instance to another: stopped on the first before it starts on the second', async () => {
  const url = await freshDatabase();
  const shared: string[] = [];
  const instances = ['a', 'b'].map((name) => {
    const leadership = postgresLeadership({ url, key: 'hashwatch-leader-only-test', log: silentLogger });
    leaderships.push(leadership);
    const w = work(name, shared);
    return { name, leadership, w };
  });
  const handles = instances.map((i) => leaderOnly(i.leadership, i.w.start, silentLogger));
  running.push(...handles);
  await Promise.all(instances.map((i) => i.leadership.start()));
  await until(() => shared.length === 1, 'the work to start on the leader', 10_000);
  const first = instances.find((i) => i.leadership.isLeader())!;
  const second = instances.find((i) => i !== first)!;
  expect(shared).toEqual([`${first.name} start`]);

  // Shutting down in this order (work, then leadership) stops the work before the lock is released.
  const shutdownAt = performance.now();
  await handles[instances.indexOf(first)]!.stop();
  await first.leadership.stop();
  await until(() => shared.length === 3, 'the work to start on the other instance', 30_000);
  console.log(`leader-only work moved after ${Math.round(performance.now() - shutdownAt)} ms`);
  expect(shared).toEqual([`${first.name} start`, `${first.name} stop`, `${second.name} start`]);
}, 60_000);
