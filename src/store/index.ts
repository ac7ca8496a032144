/**
 * The store: one SQLite database, reached only through these repositories (prepared statements).
 * `openStore(':memory:')` for tests; otherwise a file, created with its directory if missing.
 */
import type { Database } from 'better-sqlite3';
import { asAsync } from './interim.ts';
import { openDatabase } from './open.ts';
import { outboxRepo, type OutboxRepo } from './outbox.ts';
import { ruleRepo, type RuleRepo } from './rules.ts';
import { scheduleRepo, type ScheduleRepo } from './schedules.ts';
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
   * neither does. Only `tx` is inside it: a repository of the store itself is outside.
   */
  transaction<T>(fn: (tx: StoreRepos) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function openStore(path: string): Store {
  const db: Database = openDatabase(path);
  // Interim: one connection, so a transaction keeps every other caller waiting until it ends.
  let held: Promise<void> = Promise.resolve();
  const gate = () => held;
  const syncUsers = userRepo(db);
  const sync = {
    users: syncUsers,
    rules: ruleRepo(db),
    schedules: scheduleRepo(db),
    outbox: outboxRepo(db),
    snapshots: snapshotRepo(db),
    settings: settingsRepo(db, syncUsers),
  };
  const wrap = (g: () => Promise<void>): StoreRepos => ({
    users: asAsync<UserRepo>(sync.users, g),
    rules: asAsync<RuleRepo>(sync.rules, g),
    schedules: asAsync<ScheduleRepo>(sync.schedules, g),
    outbox: asAsync<OutboxRepo>(sync.outbox, g),
    snapshots: asAsync<SnapshotRepo>(sync.snapshots, g),
    settings: asAsync<SettingsRepo>(sync.settings, g),
  });
  const inside = wrap(() => Promise.resolve());
  return {
    path,
    ...wrap(gate),
    async transaction(fn) {
      let release!: () => void;
      const before = held;
      held = new Promise<void>((r) => {
        release = r;
      });
      await before;
      db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(inside);
        db.exec('COMMIT');
        return out;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      } finally {
        release();
      }
    },
    close: async () => {
      if (db.open) db.close();
    },
  };
}
