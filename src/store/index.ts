/**
 * The store: one SQLite database, reached only through these repositories (prepared statements).
 * `openStore(':memory:')` for tests; otherwise a file, created with its directory if missing.
 */
import type { Database } from 'better-sqlite3';
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

export interface Store {
  readonly path: string;
  users: UserRepo;
  rules: RuleRepo;
  schedules: ScheduleRepo;
  outbox: OutboxRepo;
  snapshots: SnapshotRepo;
  /** /settings per user and per chat. */
  settings: SettingsRepo;
  /** Runs fn in one transaction: a state change and the message it causes commit together. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export function openStore(path: string): Store {
  const db: Database = openDatabase(path);
  const users = userRepo(db);
  return {
    path,
    users,
    rules: ruleRepo(db),
    schedules: scheduleRepo(db),
    outbox: outboxRepo(db),
    snapshots: snapshotRepo(db),
    settings: settingsRepo(db, users),
    transaction: (fn) => db.transaction(fn)(),
    close: () => {
      if (db.open) db.close();
    },
  };
}
