/**
 * Opening the database: create the directory, open SQLite in WAL mode, check its pages, run pending
 * migrations. Anything wrong with the path becomes one StoreError line naming the path and the
 * problem, so start-up fails clearly instead of with a native stack trace.
 */
import { existsSync, mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
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
      return `the database file is corrupt (SQLite: database disk image is malformed); ${RECOVER}`;
    case 'SQLITE_FULL':
    case 'ENOSPC':
      return 'the disk holding it is full; free some space and start again';
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
    case 'ENOENT':
      return 'cannot create its folder here (this file system does not allow new folders)';
    default:
      return e.message ?? String(err);
  }
}

/**
 * `mkdir -p` one level at a time from the nearest existing folder. Node's recursive mkdir loops
 * forever at 100 % CPU where mkdir answers ENOENT for a folder whose parent exists (/proc does):
 * creating each level ourselves turns that into one error.
 */
function createFolder(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (!existsSync(at)) {
    missing.unshift(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  if (!statSync(at).isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' });
  for (const folder of missing) mkdirSync(folder);
}

/** What to do when the file is damaged: said once, in the start-up error. */
const RECOVER =
  'stop hashwatch, move the file (and its -wal file) aside, and copy your last backup (made with `hashwatch backup <file>`) to this path; or remove it to start empty';

/**
 * A damaged page can sit unnoticed until a query reads it, days later, mid-alert. quick_check
 * reads every page (milliseconds at our sizes) so damage stops start-up instead.
 */
function checkPages(db: Database.Database, path: string): void {
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  const first = rows[0]?.quick_check ?? 'no answer';
  if (rows.length !== 1 || first !== 'ok') {
    throw new StoreError(`DATABASE_PATH ${path}: the database file is corrupt (${first.slice(0, 120)}); ${RECOVER}`);
  }
}

export function openDatabase(path: string): Database.Database {
  const inMemory = path === ':memory:';
  let db: Database.Database | undefined;
  try {
    if (!inMemory) createFolder(dirname(path));
    db = new Database(path);
    db.pragma('busy_timeout = 5000');
    if (!inMemory) checkPages(db, path);
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
    if (broken.length)
      throw new StoreError(`DATABASE_PATH ${path}: ${plural(broken.length, 'row')} left pointing at missing rows after the schema upgrade`);
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError(`DATABASE_PATH ${path}: ${diskFull(path) ?? describe(err)}`);
  }
}

/** Below this much free space SQLite cannot create its WAL index, and reports only "disk I/O error". */
const MIN_FREE_BYTES = 256 * 1024;

/** "the disk holding it is full …" when that is why the open failed, else undefined. */
function diskFull(path: string): string | undefined {
  try {
    const fs = statfsSync(dirname(resolve(path)));
    const free = fs.bavail * fs.bsize;
    if (free >= MIN_FREE_BYTES) return undefined;
    return `the disk holding it is full (${Math.floor(free / 1024)} KiB free); free some space and start again`;
  } catch {
    return undefined;
  }
}

function migrate(db: Database.Database): void {
  const version = () => db.pragma('user_version', { simple: true }) as number;
  if (version() > MIGRATIONS.length) {
    throw new StoreError(
      `DATABASE_PATH ${db.name}: schema version ${version()} is newer than this hashwatch understands (${MIGRATIONS.length}); upgrade hashwatch`,
    );
  }
  MIGRATIONS.forEach((sql, i) => {
    // IMMEDIATE takes the write lock before the version is read again: a second process opening
    // the same file at once (a restart overlapping a shutdown) waits, then finds the step done.
    db.transaction(() => {
      if (version() > i) return;
      db.exec(sql);
      db.pragma(`user_version = ${i + 1}`);
    }).immediate();
  });
}

/**
 * Copies the database with SQLite's online backup API: consistent even while the bot is running
 * and writing (pages changed mid-copy are copied again). Refuses a damaged source (a copy of the
 * damage is no backup) and an existing destination (never overwrite what may be the last good copy).
 */
export async function backupDatabase(path: string, dest: string): Promise<{ bytes: number }> {
  if (resolve(dest) === resolve(path)) throw new StoreError(`backup: ${dest} is the database itself; name another file`);
  if (existsSync(dest)) throw new StoreError(`backup: ${dest} already exists; remove it or name another file`);
  if (!existsSync(dirname(resolve(dest)))) throw new StoreError(`backup: folder ${dirname(resolve(dest))} does not exist`);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    checkPages(db, path);
    await db.backup(dest);
    return { bytes: statSync(dest).size };
  } catch (err) {
    if (err instanceof StoreError) throw err;
    const e = err as { code?: string };
    if (e.code === 'SQLITE_CANTOPEN' && !existsSync(path)) throw new StoreError(`DATABASE_PATH ${path}: no database there to back up`);
    throw new StoreError(`backup of ${path} to ${dest}: ${describe(err)}`);
  } finally {
    db?.close();
  }
}
