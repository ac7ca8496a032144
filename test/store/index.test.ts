import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, StoreError } from '../../src/store/index.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import type { Reply } from '../../src/core/reply.ts';

const dir = mkdtempSync(join(tmpdir(), 'hashwatch-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reply = (title: string): Reply => ({ title, sections: [], footer: ['test'], tone: 'neutral' });

describe('openStore', () => {
  it('creates the directory and file, in WAL mode, at the latest schema version', () => {
    const path = join(dir, 'nested', 'deeper', 'db.sqlite');
    const store = openStore(path);
    store.close();
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
      'sqlite_sequence',
      'user_settings',
      'users',
    ]);
    raw.close();
  });

  it('upgrades a version-1 database: rules and their state kept, ids of removed rules (still named by outbox keys) never handed out again', () => {
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
    expect(store.rules.listForUser(1).map((r) => [r.id, r.state.episode, r.state.memo])).toEqual([
      [1, 4, '123'],
      [2, 2, 'normal'],
    ]);
    const id = store.rules.insert(
      { userId: 1, specJson: '{"kind":"retarget"}', cooldownSec: 60, createdMs: 1 },
      { armed: true, episode: 0, lastFiredMs: null, memo: null },
    );
    expect(id).toBe(8); // past rule 7, whose alert is still in the outbox
    expect(store.rules.deleteForUser(1, 8)).toBe(true);
    expect(
      store.rules.insert(
        { userId: 1, specJson: '{"kind":"retarget"}', cooldownSec: 60, createdMs: 2 },
        { armed: true, episode: 0, lastFiredMs: null, memo: null },
      ),
    ).toBe(9);
    // Removing a rule still removes its state (the foreign key survived the rebuild).
    expect(store.rules.deleteForUser(1, 1)).toBe(true);
    store.close();
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT rule_id FROM alert_state ORDER BY rule_id').all()).toEqual([{ rule_id: 2 }, { rule_id: 9 }]);
    check.close();
  });

  it('upgrades a version-2 database: a 0.1 "difficulty" rule (the retarget estimate, %) becomes difficulty_change, state kept', () => {
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
    const rows = store.rules.listForUser(1);
    expect(rows.map((r) => r.specJson)).toEqual([
      '{"kind":"threshold","metric":"difficulty_change","direction":"above","value":5}',
      '{"kind":"threshold","metric":"price","direction":"above","value":100000}',
      'not json',
    ]);
    expect(rows[0]!.state).toEqual({ armed: false, episode: 3, lastFiredMs: null, memo: null });
    store.close();
  });

  it('reopens an existing database without re-running migrations and keeps its data', () => {
    const path = join(dir, 'reopen.db');
    const a = openStore(path);
    a.snapshots.upsertMany([{ metric: 'price_usd', tsSec: 100, value: 1, source: 't' }]);
    a.close();
    const b = openStore(path);
    expect(b.snapshots.latest('price_usd')?.value).toBe(1);
    b.close();
  });

  it('names the path and the problem in one line when the file is not a database', () => {
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

  it('refuses a database written by a newer hashwatch', () => {
    const path = join(dir, 'future.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => openStore(path)).toThrow(/schema version \d+ is newer than this hashwatch understands/);
  });
});

describe('snapshots', () => {
  it('upserts on (metric, tsSec), ranges ascending, and finds the latest', () => {
    const store = openStore(':memory:');
    store.snapshots.upsertMany([
      { metric: 'hashprice_usd', tsSec: 300, value: 3, source: 'a' },
      { metric: 'hashprice_usd', tsSec: 100, value: 1, source: 'a' },
      { metric: 'hashprice_usd', tsSec: 200, value: 2, source: 'a' },
      { metric: 'price_usd', tsSec: 400, value: 9, source: 'a' },
    ]);
    store.snapshots.upsertMany([{ metric: 'hashprice_usd', tsSec: 200, value: 22, source: 'b' }]);
    expect(store.snapshots.range('hashprice_usd', 100, 250)).toEqual([
      { metric: 'hashprice_usd', tsSec: 100, value: 1, source: 'a' },
      { metric: 'hashprice_usd', tsSec: 200, value: 22, source: 'b' },
    ]);
    expect(store.snapshots.latest('hashprice_usd')).toEqual({ metric: 'hashprice_usd', tsSec: 300, value: 3, source: 'a' });
    expect(store.snapshots.latest('nothing')).toBeUndefined();
    expect(store.snapshots.atOrBefore('hashprice_usd', 250)?.value).toBe(22);
    expect(() => store.snapshots.upsertMany([{ metric: 'x', tsSec: 1, value: Number.NaN, source: 'a' }])).toThrow(RangeError);
    store.close();
  });
});

describe('outbox', () => {
  it('keeps one row per idempotency key and leases due rows in order', () => {
    const store = openStore(':memory:');
    const d = { platform: 'telegram' as const, chatId: '42', kind: 'user' as const };
    expect(store.outbox.enqueue('rule:1:1', d, reply('a'), 1000)).toBe(true);
    expect(store.outbox.enqueue('rule:1:1', d, reply('again'), 1000)).toBe(false);
    expect(
      store.outbox.enqueue('rule:1:2', d, { ...reply('b'), chart: { png: Buffer.from([1, 2, 3]), filename: 'c.png', alt: 'c' } }, 1000),
    ).toBe(true);
    const claimed = store.outbox.claim(1000, 30_000, 10, ['telegram']);
    expect(claimed.map((r) => [r.idemKey, r.status, r.attempts])).toEqual([
      ['rule:1:1', 'sending', 1],
      ['rule:1:2', 'sending', 1],
    ]);
    expect(claimed[1]!.reply.chart?.png).toEqual(Buffer.from([1, 2, 3]));
    expect(store.outbox.claim(1000, 30_000, 10, ['telegram'])).toEqual([]);
    expect(store.outbox.releaseLeases()).toBe(2);
    expect(store.outbox.counts()).toEqual({ pending: 2, sending: 0, sent: 0, failed: 0 });
    store.outbox.retryAt(claimed[0]!.id, 5000, 'HTTP 502');
    expect(store.outbox.claim(4999, 30_000, 10, ['telegram']).map((r) => r.idemKey)).toEqual(['rule:1:2']);
    expect(store.outbox.nextDueMs()).toBe(5000);
    expect(store.outbox.claim(9999, 30_000, 10, ['discord'])).toEqual([]);
    store.close();
  });
});
