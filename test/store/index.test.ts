import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, StoreError } from '../../src/store/index.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { BACKENDS } from '../support/backends.ts';
import type { Reply } from '../../src/core/reply.ts';

const dir = mkdtempSync(join(tmpdir(), 'hashwatch-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reply = (title: string): Reply => ({ title, sections: [], footer: ['test'], tone: 'neutral' });

describe('openStore', () => {
  it('creates the directory and file, in WAL mode, at the latest schema version', async () => {
    const path = join(dir, 'nested', 'deeper', 'db.sqlite');
    const store = openStore(path);
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
      (t) => t.name,
    );
    expect(tables).toEqual([
      'alert_rules',
      'alert_state',
      'chat_settings',
      'digest_schedules',
      'metric_snapshots',
      'outbox',
      'rule_changes',
      'sqlite_sequence',
      'user_settings',
      'users',
    ]);
    raw.close();
  });

  it('upgrades a version-1 database: rules and their state kept, ids of removed rules (still named by outbox keys) never handed out again', async () => {
    const path = join(dir, 'v1.db');
    const raw = new Database(path);
    raw.exec(MIGRATIONS[0]!);
    raw.pragma('user_version = 1');
    raw.exec(`
      INSERT INTO users (id, platform, external_id, created_ms) VALUES (1, 'telegram', '1001', 0);
      INSERT INTO alert_rules (id, user_id, spec, cooldown_sec, created_ms) VALUES (1, 1, '{"kind":"retarget"}', 60, 0), (2, 1, '{"kind":"ribbons"}', 60, 0);
      INSERT INTO alert_state (rule_id, armed, episode, memo, updated_ms) VALUES (1, 1, 4, '123', 0), (2, 1, 2, 'normal', 0);
      INSERT INTO outbox (idem_key, platform, chat_id, dest_kind, payload, next_attempt_ms, created_ms)
        VALUES ('alert:7:1', 'telegram', '1001', 'user', '{}', 0, 0), ('digest:1:2025-01-01', 'telegram', '-1', 'channel', '{}', 0, 0);
    `);
    raw.close();
    const store = openStore(path);
    expect((await store.rules.listForUser(1)).map((r) => [r.id, r.state.episode, r.state.memo])).toEqual([
      [1, 4, '123'],
      [2, 2, 'normal'],
    ]);
    const id = await store.rules.insert(
      { userId: 1, specJson: '{"kind":"retarget"}', cooldownSec: 60, createdMs: 1 },
      { armed: true, episode: 0, lastFiredMs: null, memo: null },
    );
    expect(id).toBe(8); // past rule 7, whose alert is still in the outbox
    expect(await store.rules.deleteForUser(1, 8)).toBe(true);
    expect(
      await store.rules.insert(
        { userId: 1, specJson: '{"kind":"retarget"}', cooldownSec: 60, createdMs: 2 },
        { armed: true, episode: 0, lastFiredMs: null, memo: null },
      ),
    ).toBe(9);
    // Removing a rule still removes its state (the foreign key survived the rebuild).
    expect(await store.rules.deleteForUser(1, 1)).toBe(true);
    await store.close();
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT rule_id FROM alert_state ORDER BY rule_id').all()).toEqual([{ rule_id: 2 }, { rule_id: 9 }]);
    check.close();
  });

  it('upgrades a version-2 database: a 0.1 "difficulty" rule (the retarget estimate, %) becomes difficulty_change, state kept', async () => {
    const path = join(dir, 'v2.db');
    const raw = new Database(path);
    raw.exec(MIGRATIONS[0]!);
    raw.exec(MIGRATIONS[1]!);
    raw.pragma('user_version = 2');
    raw.exec(`
      INSERT INTO users (id, platform, external_id, created_ms) VALUES (1, 'telegram', '1001', 0);
      INSERT INTO alert_rules (id, user_id, spec, cooldown_sec, created_ms) VALUES
        (1, 1, '{"kind":"threshold","metric":"difficulty","direction":"above","value":5}', 60, 0),
        (2, 1, '{"kind":"threshold","metric":"price","direction":"above","value":100000}', 60, 0),
        (3, 1, 'not json', 60, 0);
      INSERT INTO alert_state (rule_id, armed, episode, memo, updated_ms) VALUES (1, 0, 3, NULL, 0);
    `);
    raw.close();
    const store = openStore(path);
    const rows = await store.rules.listForUser(1);
    expect(rows.map((r) => r.specJson)).toEqual([
      '{"kind":"threshold","metric":"difficulty_change","direction":"above","value":5}',
      '{"kind":"threshold","metric":"price","direction":"above","value":100000}',
      'not json',
    ]);
    expect(rows[0]!.state).toEqual({ armed: false, episode: 3, lastFiredMs: null, memo: null });
    await store.close();
  });

  it('reopens an existing database without re-running migrations and keeps its data', async () => {
    const path = join(dir, 'reopen.db');
    const a = openStore(path);
    await a.snapshots.upsertMany([{ metric: 'price_usd', tsSec: 100, value: 1, source: 't' }]);
    await a.close();
    const b = openStore(path);
    expect((await b.snapshots.latest('price_usd'))?.value).toBe(1);
    await b.close();
  });

  it('names the path and the problem in one line when the file is not a database', async () => {
    const path = join(dir, 'garbage.db');
    writeFileSync(path, 'this is not sqlite, just some text that is long enough to be read as a header'.repeat(50));
    expect(() => openStore(path)).toThrow(StoreError);
    expect(() => openStore(path)).toThrow(
      `DATABASE_PATH ${path}: not a SQLite database (the file is corrupt or belongs to something else)`,
    );
  });

  it('names the path and the problem when the directory cannot be created', () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    const path = join(file, 'db.sqlite');
    let message = '';
    try {
      openStore(path);
    } catch (err) {
      expect(err).toBeInstanceOf(StoreError);
      message = (err as Error).message;
    }
    expect(message).toBe(`DATABASE_PATH ${path}: a parent of this path is a file, not a directory`);
    expect(message).not.toContain('\n');
  });

  it('refuses a database written by a newer hashwatch', async () => {
    const path = join(dir, 'future.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openStore(path)).toThrow(/schema version \d+ is newer than this hashwatch understands/);
  });
});

describe.each(BACKENDS)('on $name', (backend) => {
  it('snapshots: upserts on (metric, tsSec), ranges ascending, and finds the latest', async () => {
    const store = await backend.open();
    await store.snapshots.upsertMany([
      { metric: 'hashprice_usd', tsSec: 300, value: 3, source: 'a' },
      { metric: 'hashprice_usd', tsSec: 100, value: 1, source: 'a' },
      { metric: 'hashprice_usd', tsSec: 200, value: 2, source: 'a' },
      { metric: 'price_usd', tsSec: 400, value: 9.5, source: 'a' },
    ]);
    await store.snapshots.upsertMany([{ metric: 'hashprice_usd', tsSec: 200, value: 22, source: 'b' }]);
    expect(await store.snapshots.range('hashprice_usd', 100, 250)).toEqual([
      { metric: 'hashprice_usd', tsSec: 100, value: 1, source: 'a' },
      { metric: 'hashprice_usd', tsSec: 200, value: 22, source: 'b' },
    ]);
    expect(await store.snapshots.latest('hashprice_usd')).toEqual({ metric: 'hashprice_usd', tsSec: 300, value: 3, source: 'a' });
    expect(await store.snapshots.latest('price_usd')).toEqual({ metric: 'price_usd', tsSec: 400, value: 9.5, source: 'a' });
    expect(await store.snapshots.latest('nothing')).toBeUndefined();
    expect((await store.snapshots.atOrBefore('hashprice_usd', 250))?.value).toBe(22);
    await expect(store.snapshots.upsertMany([{ metric: 'x', tsSec: 1, value: Number.NaN, source: 'a' }])).rejects.toThrow(RangeError);
    await store.close();
  });

  it("snapshots: a batch past one statement's parameter limit, with a (metric, tsSec) twice, keeps every row and the last value", async () => {
    const store = await backend.open();
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ metric: 'price_usd', tsSec: i * 600, value: i, source: 'bulk' }));
    await store.snapshots.upsertMany([...rows, { metric: 'price_usd', tsSec: 0, value: -1, source: 'again' }]);
    expect(await store.snapshots.range('price_usd', 0, 20_000 * 600)).toHaveLength(20_000);
    expect(await store.snapshots.atOrBefore('price_usd', 0)).toEqual({ metric: 'price_usd', tsSec: 0, value: -1, source: 'again' });
    expect((await store.snapshots.latest('price_usd'))?.value).toBe(19_999);
    await store.close();
  });

  it('outbox: keeps one row per idempotency key and leases due rows in order', async () => {
    const store = await backend.open();
    const d = { platform: 'telegram' as const, chatId: '42', kind: 'user' as const };
    expect(await store.outbox.enqueue('rule:1:1', d, reply('a'), 1000)).toBe(true);
    expect(await store.outbox.enqueue('rule:1:1', d, reply('again'), 1000)).toBe(false);
    expect(
      await store.outbox.enqueue(
        'rule:1:2',
        d,
        { ...reply('b'), chart: { png: Buffer.from([1, 2, 3]), filename: 'c.png', alt: 'c' } },
        1000,
      ),
    ).toBe(true);
    expect(await store.outbox.has('rule:1:2')).toBe(true);
    expect(await store.outbox.has('rule:1:3')).toBe(false);
    const claimed = await store.outbox.claim(1000, 30_000, 10, ['telegram']);
    expect(claimed.map((r) => [r.idemKey, r.status, r.attempts])).toEqual([
      ['rule:1:1', 'sending', 1],
      ['rule:1:2', 'sending', 1],
    ]);
    expect(claimed[1]!.reply.chart?.png).toEqual(Buffer.from([1, 2, 3]));
    expect(claimed[0]!.destination).toEqual(d);
    expect(await store.outbox.claim(1000, 30_000, 10, ['telegram'])).toEqual([]);
    expect(await store.outbox.backlog()).toEqual({ pending: 0, sending: 2, oldestPendingCreatedMs: undefined });
    // The lease runs to 31000: before it, nothing is released; from it, both rows are.
    expect(await store.outbox.releaseExpiredLeases(30_999)).toBe(0);
    expect(await store.outbox.releaseExpiredLeases(31_000)).toBe(2);
    expect(await store.outbox.counts()).toEqual({ pending: 2, sending: 0, sent: 0, failed: 0 });
    expect(await store.outbox.backlog()).toEqual({ pending: 2, sending: 0, oldestPendingCreatedMs: 1000 });
    await store.outbox.retryAt(claimed[0]!.id, 5000, 'HTTP 502');
    expect((await store.outbox.claim(4999, 30_000, 10, ['telegram'])).map((r) => [r.idemKey, r.attempts])).toEqual([['rule:1:2', 2]]);
    expect(await store.outbox.nextDueMs()).toBe(5000);
    expect(await store.outbox.nextDueByPlatform()).toEqual(new Map([['telegram', 5000]]));
    expect(await store.outbox.claim(9999, 30_000, 10, ['discord'])).toEqual([]);
    await store.close();
  });

  it('outbox: claim takes back a row whose lease has passed (its sender died), and only then', async () => {
    const store = await backend.open();
    const d = { platform: 'discord' as const, chatId: '7', kind: 'channel' as const };
    await store.outbox.enqueue('digest:1', d, reply('d'), 0);
    const [first] = await store.outbox.claim(0, 60_000, 10, ['discord']);
    expect(first!.attempts).toBe(1);
    expect(await store.outbox.claim(59_999, 60_000, 10, ['discord'])).toEqual([]);
    const again = await store.outbox.claim(60_000, 60_000, 10, ['discord']);
    expect(again.map((r) => [r.id, r.attempts, r.status])).toEqual([[first!.id, 2, 'sending']]);
    await store.outbox.markSent(first!.id, 60_001);
    expect(await store.outbox.claim(1e12, 60_000, 10, ['discord'])).toEqual([]);
    expect(await store.outbox.counts()).toEqual({ pending: 0, sending: 0, sent: 1, failed: 0 });
    await store.close();
  });

  it("outbox: enqueueMany adds past one statement's parameter limit, skips keys already queued, and counts what it added", async () => {
    const store = await backend.open();
    const d = { platform: 'telegram' as const, chatId: '42', kind: 'user' as const };
    await store.outbox.enqueue('k:3', d, reply('first'), 0);
    const items = Array.from({ length: 12_000 }, (_, i) => ({ idemKey: `k:${i}`, destination: d, reply: reply(`m${i}`) }));
    expect(await store.outbox.enqueueMany(items, 5)).toBe(11_999);
    expect(await store.outbox.enqueueMany(items.slice(0, 10), 5)).toBe(0);
    expect((await store.outbox.counts()).pending).toBe(12_000);
    const [kept] = await store.outbox.claim(0, 1000, 1, ['telegram']);
    expect([kept!.idemKey, kept!.reply.title]).toEqual(['k:3', 'first']);
    await store.close();
  });

  it('ping answers while the database does', async () => {
    const store = await backend.open();
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });

  it('transaction: everything in it commits together, or nothing does', async () => {
    const store = await backend.open();
    const d = { platform: 'telegram' as const, chatId: '42', kind: 'user' as const };
    await expect(
      store.transaction(async (tx) => {
        const owner = await tx.users.ensure('telegram', '42', 'x', 0);
        await tx.rules.insert(
          { userId: owner, specJson: '{}', cooldownSec: 0, createdMs: 0 },
          { armed: null, episode: 0, lastFiredMs: null, memo: null },
        );
        await tx.settings.set('user', { platform: 'telegram', id: '42' }, { currency: 'EUR' }, 0);
        await tx.outbox.enqueue('t:1', d, reply('t'), 0);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await store.users.find('telegram', '42')).toBeUndefined();
    expect(await store.outbox.has('t:1')).toBe(false);
    expect(await store.settings.get('user', 'telegram', '42')).toEqual({});
    const id = await store.transaction(async (tx) => {
      const owner = await tx.users.ensure('telegram', '42', 'x', 0);
      await tx.outbox.enqueue('t:1', d, reply('t'), 0);
      return tx.rules.insert(
        { userId: owner, specJson: '{}', cooldownSec: 0, createdMs: 0 },
        { armed: true, episode: 2, lastFiredMs: 5, memo: 'm' },
      );
    });
    expect((await store.rules.get(id))?.state).toEqual({ armed: true, episode: 2, lastFiredMs: 5, memo: 'm' });
    expect(await store.outbox.has('t:1')).toBe(true);
    await store.close();
  });
});
