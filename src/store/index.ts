/**
 * The store: SQLite (one file, the default) or PostgreSQL (several instances), reached only
 * through these repositories, written once with Kysely for both engines.
 * `openStore(':memory:')` for tests; `openStoreAt(location)` picks the engine from the location.
 */
import { Kysely, SqliteDialect, sql } from 'kysely';
import type { Db, Engine } from './dialect.ts';
import { sqliteFileAt } from './location.ts';
import { openDatabase } from './open.ts';
import { connectPostgres } from './open-postgres.ts';
import { outboxRepo, type OutboxRepo } from './outbox.ts';
import { ruleRepo, type RuleRepo } from './rules.ts';
import { scheduleRepo, type ScheduleRepo } from './schedules.ts';
import type { Database } from './schema.ts';
import { settingsRepo, type SettingsRepo } from './settings.ts';
import { snapshotRepo, type SnapshotRepo } from './snapshots.ts';
import { userRepo, type UserRepo } from './users.ts';

export { StoreError } from './open.ts';
export type { SnapshotRepo } from './snapshots.ts';
export type { AlertState, RuleRow, RuleRepo } from './rules.ts';
export type { ScheduleRow } from './schedules.ts';
export type { OutboxRow, OutboxRepo } from './outbox.ts';

/** The repositories, as seen inside and outside a transaction. */
export interface StoreRepos {
  users: UserRepo;
  rules: RuleRepo;
  schedules: ScheduleRepo;
  outbox: OutboxRepo;
  snapshots: SnapshotRepo;
  /** /settings per user and per chat. */
  settings: SettingsRepo;
}

export interface Store extends StoreRepos {
  /** Where the data lives, for log lines (a file path, or a database URL without its password). */
  readonly path: string;
  /**
   * Runs fn in one transaction: a state change and the message it causes commit together, or
   * neither does. Only `tx` is inside it: a repository of the store itself is outside (and on
   * SQLite, with its one connection, waits for the transaction to end: never await it inside).
   */
  transaction<T>(fn: (tx: StoreRepos) => Promise<T>): Promise<T>;
  /** Answers when the database does (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

function repos(db: Db, engine: Engine): StoreRepos {
  return {
    users: userRepo(db),
    rules: ruleRepo(db, engine),
    schedules: scheduleRepo(db),
    outbox: outboxRepo(db, engine),
    snapshots: snapshotRepo(db, engine),
    settings: settingsRepo(db),
  };
}

function storeOver(db: Kysely<Database>, engine: Engine, path: string, closed: () => void = () => {}): Store {
  return {
    path,
    ...repos(db, engine),
    transaction: (fn) => db.transaction().execute((tx) => fn(repos(tx, engine))),
    ping: async () => {
      await sql`SELECT 1`.execute(db);
    },
    close: async () => {
      await db.destroy();
      closed();
    },
  };
}

/** SQLite at `path` (a file, created with its folder; or ':memory:'). Synchronous: opening a file cannot wait on a network. */
export function openStore(path: string): Store {
  const database = openDatabase(path);
  // Kysely closes the database only if a query ever ran: a store opened and closed unused would
  // keep its file open (and its folder busy) until the process ends.
  return storeOver(new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), 'sqlite', path, () => {
    if (database.open) database.close();
  });
}

/** PostgreSQL at `url` (postgres://user:password@host:port/database), migrated to the latest schema. */
export async function openPostgresStore(url: string): Promise<Store> {
  const { db, path } = await connectPostgres(url);
  return storeOver(db, 'postgres', path);
}

/** A postgres:// or postgresql:// URL opens PostgreSQL; `sqlite:<path>` or a bare path, SQLite. */
export async function openStoreAt(location: string): Promise<Store> {
  const file = sqliteFileAt(location);
  return file === undefined ? openPostgresStore(location) : openStore(file);
}
