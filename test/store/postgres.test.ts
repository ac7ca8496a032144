/**
 * What only PostgreSQL has to get right: several instances on one database. Each test opens two
 * (or more) stores on one fresh database, as two bot processes would.
 */
import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/core/reply.ts';
import { openPostgresStore, openStoreAt, StoreError } from '../../src/store/index.ts';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres-migrations.ts';
import { freshDatabase } from '../support/postgres.ts';

const reply = (title: string): Reply => ({ title, sections: [], footer: ['test'], tone: 'neutral' });
const d = { platform: 'telegram' as const, chatId: '42', kind: 'user' as const };

describe('PostgreSQL migrations', () => {
  it('two instances starting at once on an empty database both open it, and the schema is applied once', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([openPostgresStore(url), openPostgresStore(url), openPostgresStore(url)]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>('SELECT version FROM hashwatch_schema ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
    } finally {
      await client.end();
    }
    // Each works on the same tables.
    const owner = await stores[0]!.users.ensure('telegram', '1', 'a', 0);
    expect(await stores[2]!.users.find('telegram', '1')).toEqual({ id: owner, platform: 'telegram', externalId: '1', name: 'a' });
    await Promise.all(stores.map((s) => s.close()));
  });

  it('refuses a database migrated by a newer hashwatch, naming the URL without its password', async () => {
    const url = await freshDatabase();
    await (await openPostgresStore(url)).close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`INSERT INTO hashwatch_schema (version, applied_ms) VALUES (${POSTGRES_MIGRATIONS.length + 1}, 0)`);
    await client.end();
    const error = await openPostgresStore(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      /^DATABASE_URL postgres:\/\/postgres@.*: schema version \d+ is newer than this hashwatch understands/,
    );
    expect((error as Error).message).not.toContain(new URL(url).password);
  });
});

describe('PostgreSQL start-up errors', () => {
  /** A port nothing listens on. */
  async function closedPort(): Promise<number> {
    return new Promise((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
  }

  it('an unreachable server: one line naming the URL without the password', async () => {
    const port = await closedPort();
    const error = await openStoreAt(`postgres://bot:s3cret-pw@127.0.0.1:${port}/hashwatch`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(
      `DATABASE_URL postgres://bot@127.0.0.1:${port}/hashwatch: cannot reach PostgreSQL (connection refused: is the server running, and on this host and port?)`,
    );
  });

  it('a wrong password and a missing database say which', async () => {
    const url = new URL(await freshDatabase());
    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    await expect(openStoreAt(wrong.toString())).rejects.toThrow('PostgreSQL refused the password for this user');
    const missing = new URL(url);
    missing.pathname = '/no_such_db';
    const error = await openStoreAt(missing.toString()).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/no_such_db: that database does not exist on the server/);
    expect((error as Error).message).not.toContain(url.password);
  });

  it('a URL that is not one', async () => {
    await expect(openPostgresStore('postgres://bot:pw@[oops/db')).rejects.toThrow(
      'DATABASE_URL: not a valid URL (expected postgres://user:password@host:5432/database)',
    );
  });
});

describe('two instances on one outbox', () => {
  it('never claim the same row: 2 x 20 concurrent claims of 1,000 rows take each row exactly once', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    const items = Array.from({ length: 1000 }, (_, i) => ({ idemKey: `alert:${i}:1`, destination: d, reply: reply(`m${i}`) }));
    expect(await a.outbox.enqueueMany(items, 0)).toBe(1000);
    const claims = Array.from({ length: 20 }, () => [a, b]).flatMap(([x, y]) => [
      x!.outbox.claim(1, 60_000, 50, ['telegram']),
      y!.outbox.claim(1, 60_000, 50, ['telegram']),
    ]);
    const ids = (await Promise.all(claims)).flat().map((r) => r.id);
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
    expect(await a.outbox.backlog()).toEqual({ pending: 0, sending: 1000, oldestPendingCreatedMs: undefined });
    await Promise.all([a.close(), b.close()]);
  });

  it('a restarting instance frees only the leases that have passed, not those of an instance still sending', async () => {
    const url = await freshDatabase();
    const [alive, restarted] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    await alive.outbox.enqueueMany(
      ['a', 'b', 'c'].map((k) => ({ idemKey: k, destination: d, reply: reply(k) })),
      0,
    );
    const [dead] = await alive.outbox.claim(0, 1000, 1, ['telegram']); // lease to 1000: its sender died
    const held = await alive.outbox.claim(500, 60_000, 2, ['telegram']); // lease to 60500: still sending
    expect(held).toHaveLength(2);
    expect(await restarted.outbox.releaseExpiredLeases(2000)).toBe(1);
    const again = await restarted.outbox.claim(2000, 60_000, 10, ['telegram']);
    expect(again.map((r) => r.id)).toEqual([dead!.id]);
    await Promise.all([alive.close(), restarted.close()]);
  });
});

describe('rule changes across instances', () => {
  it('every change committed by any instance is seen once past the cursor, however commits interleave', async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    const owner = await a.users.ensure('telegram', '1', undefined, 0);
    const spec = { userId: owner, specJson: '{}', cooldownSec: 0, createdMs: 0 };
    const state = { armed: null, episode: 0, lastFiredMs: null, memo: null };
    let cursor = await b.rules.changeCursor();
    // A transaction that changed a rule first but commits last must not be skipped by a reader
    // whose cursor moved past the later change meanwhile.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = a.transaction(async (tx) => {
      const id = await tx.rules.insert(spec, state);
      await gate;
      return id;
    });
    await new Promise((r) => setTimeout(r, 200)); // the slow transaction holds its change, uncommitted
    const fast = b.rules.insert(spec, state); // waits for the slow one (the change log is in commit order)
    const seen: number[] = [];
    const early = await b.rules.changesSince(cursor);
    seen.push(...early.ruleIds);
    cursor = early.cursor;
    release();
    const [slowId, fastId] = await Promise.all([slow, fast]);
    const late = await b.rules.changesSince(cursor);
    seen.push(...late.ruleIds);
    expect(seen.sort((x, y) => x - y)).toEqual([slowId, fastId].sort((x, y) => x - y));
    await Promise.all([a.close(), b.close()]);
  });
});
