/**
 * Opening the database: create the directory, open SQLite in WAL mode, run pending migrations.
 * Anything wrong with the path becomes one StoreError line naming the path and the problem,
 * so start-up fails clearly instead of with a native stack trace.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';
import { plural } from '../core/plural.ts';

export class StoreError extends Error {
  override name = 'StoreError';
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case 'SQLITE_NOTADB':
      return 'not a SQLite database (the file is corrupt or belongs to something else)';
    case 'SQLITE_CORRUPT':
      return 'the database file is corrupt (SQLite: database disk image is malformed)';
    case 'SQLITE_CANTOPEN':
      return 'cannot open the file (does the directory exist and is it writable?)';
    case 'SQLITE_READONLY':
    case 'SQLITE_READONLY_DIRECTORY':
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'not writable (hashwatch needs read-write access to the file and its directory)';
    case 'ENOTDIR':
    case 'EEXIST':
      return 'a parent of this path is a file, not a directory';
    default:
      return e.message ?? String(err);
  }
}

export function openDatabase(path: string): Database.Database {
  const inMemory = path === ':memory:';
  let db: Database.Database | undefined;
  try {
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('busy_timeout = 5000');
    if (!inMemory) db.pragma('journal_mode = WAL');
    // WAL + NORMAL survives a process crash (the case the outbox cares about); only an OS crash
    // or power loss can lose the last commits.
    db.pragma('synchronous = NORMAL');
    // Migrations run with foreign keys off: rebuilding a table (drop + rename) must not cascade
    // deletes into the tables that reference it. Any dangling reference is caught right after.
    db.pragma('foreign_keys = OFF');
    migrate(db);
    db.pragma('foreign_keys = ON');
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length) throw new StoreError(`DATABASE_PATH ${path}: ${plural(broken.length, 'row')} left pointing at missing rows after the schema upgrade`);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError(`DATABASE_PATH ${path}: ${describe(err)}`);
  }
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new StoreError(
      `DATABASE_PATH ${db.name}: schema version ${current} is newer than this hashwatch understands (${MIGRATIONS.length}); upgrade hashwatch`,
    );
  }
  MIGRATIONS.forEach((sql, i) => {
    const version = i + 1;
    if (version <= current) return;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  });
}
