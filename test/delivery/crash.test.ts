/**
 * SIGKILL during a fan-out of 1,000 alerts, then a restart: every alert arrives, and the only
 * duplicates are rows that were 'sending' at the kill and had already reached Telegram.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { silentLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram.ts';
import { headline } from '../alerts/headline.ts';

const N = 1000;
const dir = mkdtempSync(join(tmpdir(), 'hashwatch-crash-'));
const dbPath = join(dir, 'hashwatch.db');
const child = fileURLToPath(new URL('./outbox-child.ts', import.meta.url));
let fake: FakeTelegram | undefined;
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

function startChild(f: FakeTelegram): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dbPath, f.apiRoot, f.token], { stdio: ['ignore', 'pipe', 'inherit'] });
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

async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

it('delivers every alert of a 1,000-user fan-out across a SIGKILL, duplicating only rows in flight at the kill', async () => {
  fake = await startFakeTelegram();
  // Fan-out: 1,000 users with the same rule, one crossing, 1,000 outbox rows in one transaction.
  const store = openStore(dbPath);
  const engine = new AlertEngine(store, silentLogger);
  const t0 = Date.UTC(2025, 3, 1, 12);
  for (let i = 1; i <= N; i++) {
    const userId = await store.users.ensure('telegram', String(i), undefined, t0);
    await store.rules.insert(
      {
        userId,
        specJson: JSON.stringify({ kind: 'threshold', metric: 'price', direction: 'above', value: 90_000 }),
        cooldownSec: 0,
        createdMs: t0,
      },
      { armed: true, episode: 0, lastFiredMs: null, memo: null },
    );
  }
  await engine.load();
  expect((await engine.evaluate(headline({ atMs: t0, priceUsd: 91_000 }))).fired).toBe(N);
  expect((await store.outbox.counts()).pending).toBe(N);

  const raw = new Database(dbPath, { readonly: true });
  const first = await startChild(fake);
  // Killed the moment the 300th message lands, before its answer reaches the child: rows in flight
  // then include some that Telegram already has, the case that can duplicate.
  await fake.waitForSent(() => fake!.sent.length >= 300, 20_000);
  first.kill('SIGKILL');
  await exited(first);
  // Requests already on the wire when the child died are still read by the stand-in: let them land.
  let seen = -1;
  while (seen !== fake.sent.length) {
    seen = fake.sent.length;
    await new Promise((r) => setTimeout(r, 100));
  }

  const statuses = () => raw.prepare('SELECT chat_id AS chatId, status FROM outbox').all() as { chatId: string; status: string }[];
  const atKill = statuses();
  const received = (chatId: string) => fake!.sent.filter((m) => String(m.chat_id) === chatId).length;
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

  const second = await startChild(fake);
  await until(() => statuses().every((r) => r.status === 'sent'), 'every row sent after the restart');
  second.kill('SIGTERM');
  await exited(second);

  const perChat = new Map<number, number>();
  for (const m of fake.sent) perChat.set(m.chat_id, (perChat.get(m.chat_id) ?? 0) + 1);
  expect(perChat.size).toBe(N); // everyone got their alert
  expect(fake.sent.length - N).toBe(landedInFlight); // duplicates: exactly the in-flight rows that had landed
  expect(landedInFlight).toBeLessThanOrEqual(sendingAtKill.length);
  for (const [chatId, count] of perChat) expect(count).toBe(landed.has(chatId) ? 2 : 1);
  raw.close();
  await store.close();
}, 60_000);
