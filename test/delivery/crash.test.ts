/**
 * SIGKILL during a fan-out of 1,000 alerts, then a restart: every alert arrives, and the only
 * duplicates are rows that were 'sending' at the kill and had already reached Telegram. On SQLite
 * the restarted process is the sole sender and re-sends those rows at once; on PostgreSQL (several
 * instances) it takes them once their lease has run out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { silentLogger } from '../../src/logger.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram.ts';
import { headline } from '../alerts/headline.ts';
import { BACKENDS } from '../support/backends.ts';

const N = 1000;
/** Long enough that no live send outlives its lease on a slow machine; short, as the restart waits it out on PostgreSQL. */
const LEASE_MS = 5_000;
const child = fileURLToPath(new URL('./outbox-child.ts', import.meta.url));
const fakes: FakeTelegram[] = [];
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const f of fakes) await f.close();
});

function startChild(location: string, f: FakeTelegram): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, location, f.apiRoot, f.token, String(LEASE_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(proc);
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`outbox child exited early (${code})`)));
    proc.stdout!.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) resolve(proc);
    });
  });
}

const exited = (proc: ChildProcess) =>
  new Promise<void>((resolve) => (proc.exitCode !== null || proc.signalCode !== null ? resolve() : proc.once('exit', () => resolve())));

async function until(cond: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// The two backends run side by side: each test has its own Telegram stand-in, database and children.
describe.concurrent.each(BACKENDS)('on $name', (backend) => {
  it('delivers every alert of a 1,000-user fan-out across a SIGKILL, duplicating only rows in flight at the kill', async ({ expect }) => {
    const fake = await startFakeTelegram();
    fakes.push(fake);
    // Fan-out: 1,000 users with the same rule, one crossing, 1,000 outbox rows in one transaction.
    const { store, location, rows, close } = await backend.openInspected();
    const engine = new AlertEngine(store, silentLogger);
    const t0 = Date.UTC(2025, 3, 1, 12);
    // Written in three statements (the SQL reads the same on both engines): 2,000 repository round
    // trips would be most of the test's time on PostgreSQL. Chat ids are the user numbers 1..N.
    const spec = JSON.stringify({ kind: 'threshold', metric: 'price', direction: 'above', value: 90_000 });
    await rows(`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${N})
      INSERT INTO users (platform, external_id, created_ms) SELECT 'telegram', CAST(i AS TEXT), ${t0} FROM n`);
    await rows(`INSERT INTO alert_rules (user_id, spec, cooldown_sec, created_ms) SELECT id, '${spec}', 0, ${t0} FROM users ORDER BY id`);
    await rows(`INSERT INTO alert_state (rule_id, armed, episode, updated_ms) SELECT id, 1, 0, ${t0} FROM alert_rules`);
    await engine.load();
    expect((await engine.evaluate(headline({ atMs: t0, priceUsd: 91_000 }))).fired).toBe(N);
    expect((await store.outbox.counts()).pending).toBe(N);

    const first = await startChild(location, fake);
    // Killed the moment the 300th message lands, before its answer reaches the child: rows in flight
    // then include some that Telegram already has, the case that can duplicate.
    await fake.waitForSent(() => fake.sent.length >= 300, 20_000);
    first.kill('SIGKILL');
    await exited(first);
    // Requests already on the wire when the child died are still read by the stand-in: let them land.
    let seen = -1;
    while (seen !== fake.sent.length) {
      seen = fake.sent.length;
      await new Promise((r) => setTimeout(r, 100));
    }

    const statuses = async () => (await rows('SELECT chat_id AS "chatId", status FROM outbox')) as { chatId: string; status: string }[];
    const atKill = await statuses();
    const received = (chatId: string) => fake.sent.filter((m) => String(m.chat_id) === chatId).length;
    const sendingAtKill = atKill.filter((r) => r.status === 'sending');
    const sentAtKill = atKill.filter((r) => r.status === 'sent');
    const pendingAtKill = atKill.filter((r) => r.status === 'pending');
    expect(sentAtKill.length + sendingAtKill.length + pendingAtKill.length).toBe(N);
    expect(sentAtKill.length).toBeGreaterThan(0);
    expect(pendingAtKill.length).toBeGreaterThan(0); // the kill really was mid fan-out
    expect(sendingAtKill.length).toBeGreaterThan(0); // and while sends were in flight
    for (const r of sentAtKill) expect(received(r.chatId)).toBe(1);
    for (const r of pendingAtKill) expect(received(r.chatId)).toBe(0);
    // In flight at the kill: some reached Telegram before the process died (they will be re-sent), some did not.
    const landed = new Set(sendingAtKill.filter((r) => received(r.chatId) === 1).map((r) => Number(r.chatId)));
    const landedInFlight = landed.size;
    for (const r of sendingAtKill) expect(received(r.chatId)).toBeLessThanOrEqual(1);

    const second = await startChild(location, fake);
    await until(async () => (await statuses()).every((r) => r.status === 'sent'), 'every row sent after the restart');
    second.kill('SIGTERM');
    await exited(second);

    const perChat = new Map<number, number>();
    for (const m of fake.sent) perChat.set(m.chat_id, (perChat.get(m.chat_id) ?? 0) + 1);
    expect(perChat.size).toBe(N); // everyone got their alert
    expect(fake.sent.length - N).toBe(landedInFlight); // duplicates: exactly the in-flight rows that had landed
    expect(landedInFlight).toBeLessThanOrEqual(sendingAtKill.length);
    for (const [chatId, count] of perChat) expect(count).toBe(landed.has(chatId) ? 2 : 1);
    await close();
  }, 60_000);
});
