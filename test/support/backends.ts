/**
 * The store's two engines, for suites that must pass on both: `describe.each(BACKENDS)`.
 * SQLite opens in memory; PostgreSQL opens a fresh empty database on the suite's server
 * (test/support/postgres.ts), so tests never see each other's rows.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach } from 'vitest';
import { openPostgresStore, openStore, type Store } from '../../src/store/index.ts';
import { freshDatabase } from './postgres.ts';

export interface Backend {
  name: 'sqlite' | 'postgres';
  open(): Promise<Store>;
  /**
   * A store plus a second connection to the same database, to read (or set up) rows behind the
   * repositories' back. BIGINT columns arrive as numbers on both.
   */
  openInspected(): Promise<Inspected>;
}

export interface Inspected {
  store: Store;
  /** Where another process opens the same database (a file path, or a URL with its password). */
  location: string;
  rows(text: string): Promise<Record<string, unknown>[]>;
  /** Closes the second connection and the store. */
  close(): Promise<void>;
}

const sqlite: Backend = {
  name: 'sqlite',
  open: async () => openStore(':memory:'),
  async openInspected() {
    // A file, not :memory:, so a second connection sees the same database.
    const path = join(mkdtempSync(join(tmpdir(), 'hashwatch-backend-')), 'store.db');
    const store = openStore(path);
    const raw = new Database(path);
    return {
      store,
      location: path,
      rows: async (text) => {
        const statement = raw.prepare(text);
        if (statement.reader) return statement.all() as Record<string, unknown>[];
        statement.run();
        return [];
      },
      close: async () => {
        raw.close();
        await store.close();
      },
    };
  },
};

const postgres: Backend = {
  name: 'postgres',
  open: async () => openPostgresStore(await freshDatabase()),
  async openInspected() {
    const url = await freshDatabase();
    const store = await openPostgresStore(url);
    const client = new pg.Client({
      connectionString: url,
      types: { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) },
    } as pg.ClientConfig);
    await client.connect();
    return {
      store,
      location: url,
      rows: async (text) => (await client.query(text)).rows as Record<string, unknown>[],
      close: async () => {
        await client.end();
        await store.close();
      },
    };
  },
};

export const BACKENDS: readonly Backend[] = [sqlite, postgres];

/** For tests about SQLite itself, or not about the store at all. */
export const SQLITE: Backend = sqlite;

/**
 * Opens stores for the tests of one file (or describe block) and closes every one after each test,
 * so a suite that opens dozens of PostgreSQL pools does not run the server out of connections.
 * A store the test closes itself is not closed twice (pg refuses a second end()).
 */
export function closedAfterEach(): (backend: Backend) => Promise<Store> {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });
  return async (backend) => {
    const store = await backend.open();
    const close = store.close;
    let closing: Promise<void> | undefined;
    store.close = () => (closing ??= close());
    open.push(store);
    return store;
  };
}
