/**
 * A separate process competing for leadership, so the fail-over tests can SIGKILL or SIGSTOP it.
 * Usage: node --import tsx leader-child.ts <database url> <lock key>
 *
 * Prints one line per event on stdout:
 *   `role leader` / `role follower`   the leadership's change events
 *   `leader true` / `leader false`    what isLeader() answered, each time the answer changes
 *   `resumed {...}`                   the first check after the process stood still for seconds
 *
 * The checking loop sleeps with Atomics.wait, which blocks the whole thread: a SIGSTOP almost always
 * lands inside it, and the check right after it returns runs before Node reads any socket. Such a
 * check reports `beforeAnyIo: true`; it shows the lease, not a message from the server, ended
 * the leadership.
 */
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../../src/logger.ts';
import { postgresLeadership } from '../../src/cluster/postgres-leadership.ts';

const [url, key] = process.argv.slice(2);
const say = (line: string) => process.stdout.write(`${line}\n`);

const leadership = postgresLeadership({ url: url!, key: key!, log: silentLogger });
leadership.onChange((role) => say(`role ${role}`));

/** A stand-still this long is a pause, not scheduling jitter. */
const PAUSE_MS = 3_000;
const cell = new Int32Array(new SharedArrayBuffer(4));
let lastCheck = performance.now();
let lastAnswer: boolean | undefined;

function check(): void {
  const beforeWait = performance.now();
  Atomics.wait(cell, 0, 0, 20);
  const now = performance.now();
  const leader = leadership.isLeader();
  if (now - lastCheck > PAUSE_MS) {
    say(`resumed ${JSON.stringify({ leader, stillMs: Math.round(now - lastCheck), beforeAnyIo: now - beforeWait > PAUSE_MS })}`);
  }
  if (leader !== lastAnswer) say(`leader ${leader}`);
  lastAnswer = leader;
  lastCheck = now;
  setImmediate(check);
}

await leadership.start();
say('started');
check();
