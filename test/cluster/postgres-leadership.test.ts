/**
 * Leader election on the real PostgreSQL, with every instance in this process: one leader at a
 * time, hand-over when it stops, is cut off or loses its session, and no password in the logs.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/logger.ts';
import type { Leadership, Role } from '../../src/cluster/leadership.ts';
import { postgresLeadership } from '../../src/cluster/postgres-leadership.ts';
import { freshDatabase } from '../support/postgres.ts';
import { until } from './until.ts';

const KEY = 'hashwatch-leadership-test';
const started: Leadership[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  // Relays first: a leadership whose socket is black-holed would otherwise wait out its close.
  for (const c of cleanups.splice(0)) await c();
  await Promise.all(started.splice(0).map((l) => l.stop()));
});

async function startLeadership(
  url: string,
  log = silentLogger,
): Promise<{ leadership: Leadership; events: { role: Role; at: number; isLeader: boolean }[] }> {
  const leadership = postgresLeadership({ url, key: KEY, log });
  const events: { role: Role; at: number; isLeader: boolean }[] = [];
  leadership.onChange((role) => events.push({ role, at: performance.now(), isLeader: leadership.isLeader() }));
  started.push(leadership);
  await leadership.start();
  return { leadership, events };
}

it('elects exactly one leader, and another leads soon after it stops', async () => {
  const url = await freshDatabase();
  const a = await startLeadership(url);
  const b = await startLeadership(url);
  const instances = [a, b];
  for (let i = 0; i < 25; i++) {
    expect(instances.filter((x) => x.leadership.isLeader())).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 200));
  }
  const leader = instances.find((x) => x.leadership.isLeader())!;
  const other = instances.find((x) => x !== leader)!;
  expect(leader.leadership.role()).toBe('leader');
  expect(other.leadership.role()).toBe('follower');

  const stoppedAt = performance.now();
  await leader.leadership.stop();
  expect(leader.events.at(-1)?.role).toBe('follower');
  expect(leader.leadership.isLeader()).toBe(false);
  await until(() => other.leadership.isLeader(), 'the other instance to take over', 30_000);
  const takeoverMs = performance.now() - stoppedAt;
  console.log(`takeover after the leader stopped: ${Math.round(takeoverMs)} ms`);
  expect(takeoverMs).toBeLessThan(5_000);
  expect(other.events.map((e) => e.role)).toEqual(['leader']);
}, 60_000);

it('a leader whose session the server ends becomes a follower at once, then competes again', async () => {
  const url = await freshDatabase();
  const { leadership, events } = await startLeadership(url);
  expect(leadership.isLeader()).toBe(true);

  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hashwatch-leadership' AND datname = current_database()`,
    );
    expect(rowCount).toBe(1);
  } finally {
    await admin.end();
  }
  await until(() => events.some((e) => e.role === 'follower'), 'the leader to hear its session ended', 20_000);
  expect(events.find((e) => e.role === 'follower')!.isLeader).toBe(false);
  await until(() => leadership.isLeader(), 'it to lead again on a new session', 20_000);
  expect(events.map((e) => e.role)).toEqual(['leader', 'follower', 'leader']);
}, 60_000);

/**
 * A TCP relay to PostgreSQL that can go silent without closing anything, like a cut cable: nothing
 * passes either way and neither end hears of it.
 */
async function cuttableRelay(target: URL): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let cutOff = false;
  const server: Server = createServer((inbound) => {
    sockets.add(inbound);
    if (cutOff) {
      inbound.pause();
      return;
    }
    const outbound = connect(Number(target.port), target.hostname);
    sockets.add(outbound);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    for (const s of [inbound, outbound]) s.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayed = new URL(target);
  relayed.port = String((server.address() as { port: number }).port);
  return {
    url: relayed.toString(),
    cut() {
      cutOff = true;
      for (const s of sockets) {
        s.unpipe();
        s.pause();
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

it('a leader cut off from the server stops believing it leads before another instance takes over', async () => {
  const url = await freshDatabase();
  const relay = await cuttableRelay(new URL(url));
  cleanups.push(relay.close);
  const cutOff = await startLeadership(relay.url);
  expect(cutOff.leadership.isLeader()).toBe(true);
  const other = await startLeadership(url);
  expect(other.leadership.isLeader()).toBe(false);

  const cutAt = performance.now();
  relay.cut();
  await until(() => other.leadership.isLeader(), 'the other instance to take over', 30_000);
  const takeoverAt = other.events.find((e) => e.role === 'leader')!.at;
  const stoppedBelieving = cutOff.events.find((e) => e.role === 'follower');
  console.log(
    `cut-off leader: stepped down after ${Math.round(stoppedBelieving!.at - cutAt)} ms, the other took over after ${Math.round(takeoverAt - cutAt)} ms`,
  );
  expect(stoppedBelieving!.at).toBeLessThan(takeoverAt);
  expect(takeoverAt - cutAt).toBeLessThan(30_000);
  expect(cutOff.leadership.isLeader()).toBe(false);
}, 60_000);

it('never writes the database password to the log', async () => {
  const url = new URL(await freshDatabase());
  url.password = 'wr0ng%40S3cret';
  const lines: string[] = [];
  const log = createLogger({ level: 'debug' }, { write: (line: string) => lines.push(line) });
  await startLeadership(url.toString(), log);

  expect(lines.some((l) => l.includes('leader election cannot connect') && l.includes(`127.0.0.1:${url.port}${url.pathname}`))).toBe(true);
  for (const line of lines) {
    expect(line).not.toContain('wr0ng%40S3cret');
    expect(line).not.toContain('wr0ng@S3cret');
  }
});

it('refuses timings under which a silent leader could outlive its lock', () => {
  expect(() =>
    postgresLeadership({ url: 'postgres://localhost/x', key: KEY, log: silentLogger, leaseMs: 8_000, idleSessionMs: 8_000 }),
  ).toThrow(/idleSessionMs/);
  expect(() => postgresLeadership({ url: 'postgres://localhost/x', key: KEY, log: silentLogger, heartbeatMs: 9_000 })).toThrow(/leaseMs/);
});
