/**
 * Fail-over against the real PostgreSQL: a leader in another process is SIGKILLed, or SIGSTOPped
 * long enough for the server to end its session; an instance in this process takes over, and the
 * paused one, once resumed, already knows it no longer leads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import type { Leadership } from '../../src/cluster/leadership.ts';
import { postgresLeadership } from '../../src/cluster/postgres-leadership.ts';
import { freshDatabase } from '../support/postgres.ts';
import { until } from './until.ts';

const childScript = fileURLToPath(new URL('./leader-child.ts', import.meta.url));
const KEY = 'hashwatch-failover-test';

interface Child {
  proc: ChildProcess;
  lines: string[];
}
const children: Child[] = [];
const leaderships: Leadership[] = [];

afterEach(async () => {
  for (const { proc } of children.splice(0)) {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGCONT');
      proc.kill('SIGKILL');
    }
  }
  await Promise.all(leaderships.splice(0).map((l) => l.stop()));
});

function startChild(url: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', childScript, url, KEY], { stdio: ['ignore', 'pipe', 'inherit'] });
  const child = { proc, lines: [] as string[] };
  createInterface({ input: proc.stdout! }).on('line', (line) => child.lines.push(line));
  children.push(child);
  return child;
}

/** Its lines so far; throws once the child has died by itself, rather than waiting out a timeout. */
function linesOf(child: Child): string[] {
  if (child.proc.exitCode !== null) throw new Error(`leader child exited with ${child.proc.exitCode}`);
  return child.lines;
}

function ourLeadership(url: string): Leadership {
  const l = postgresLeadership({ url, key: KEY, log: silentLogger });
  leaderships.push(l);
  return l;
}

it('a SIGKILLed leader is replaced within 5 s', async () => {
  const url = await freshDatabase();
  const child = startChild(url);
  await until(() => linesOf(child).includes('role leader'), 'the child to lead', 20_000);
  const other = ourLeadership(url);
  await other.start();
  expect(other.isLeader()).toBe(false);

  const killedAt = performance.now();
  child.proc.kill('SIGKILL');
  await until(() => other.isLeader(), 'the other instance to take over', 30_000);
  const takeoverMs = performance.now() - killedAt;
  console.log(`takeover after SIGKILL of the leader: ${Math.round(takeoverMs)} ms`);
  expect(takeoverMs).toBeLessThan(5_000);
}, 60_000);

it('a leader paused past its lease is replaced, and on resuming knows it no longer leads before any round trip', async () => {
  const url = await freshDatabase();
  const child = startChild(url);
  await until(() => linesOf(child).includes('leader true'), 'the child to lead', 20_000);
  const other = ourLeadership(url);
  await other.start();
  expect(other.isLeader()).toBe(false);

  const stoppedAt = performance.now();
  child.proc.kill('SIGSTOP');
  await until(() => other.isLeader(), 'the other instance to take over', 30_000);
  const takeoverMs = performance.now() - stoppedAt;
  console.log(`takeover after SIGSTOP of the leader: ${Math.round(takeoverMs)} ms`);
  expect(takeoverMs).toBeLessThan(30_000);

  // Still paused a while after the takeover: whatever the child does next, someone else leads.
  await new Promise((r) => setTimeout(r, Math.max(0, 15_000 - (performance.now() - stoppedAt))));
  const before = child.lines.length;
  child.proc.kill('SIGCONT');
  await until(() => child.lines.slice(before).some((l) => l.startsWith('resumed ')), 'the child to notice its pause', 20_000);
  await until(() => child.lines.slice(before).includes('role follower'), 'the child to announce it follows', 20_000);

  const afterResume = child.lines.slice(before);
  const resumed = JSON.parse(afterResume.find((l) => l.startsWith('resumed '))!.slice('resumed '.length)) as {
    leader: boolean;
    stillMs: number;
    beforeAnyIo: boolean;
  };
  console.log(`paused leader on resuming: ${JSON.stringify(resumed)}`);
  expect(resumed.leader).toBe(false);

  // It competes again but the lock is taken: its first check after the pause and every one since
  // said "not leader", and the other instance still leads.
  await new Promise((r) => setTimeout(r, 5_000));
  expect(other.isLeader()).toBe(true);
  const since = child.lines.slice(before);
  expect(since.filter((l) => l.startsWith('leader '))).toEqual(['leader false']);
  expect(since.filter((l) => l.startsWith('role '))).toEqual(['role follower']);
}, 90_000);
