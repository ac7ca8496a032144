import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, StoreError } from '../../src/store/index.ts';
import { backupDatabase } from '../../src/store/open.ts';

const dir = mkdtempSync(join(tmpdir(), 'hashwatch-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PAGE = 4096;

/** A database with a year of snapshots: many pages, most of them read only by chart queries. */
async function filledDatabase(name: string): Promise<string> {
  const path = join(dir, name);
  const store = openStore(path);
  const rows = Array.from({ length: 5000 }, (_, i) => ({
    metric: 'price_usd',
    tsSec: i * 600,
    value: 60_000 + i,
    source: 'mempool.space',
  }));
  await store.snapshots.upsertMany(rows);
  await store.close();
  return path;
}

describe('opening a damaged database (issue 10 #12)', () => {
  it('runs quick_check at open and refuses to start with one line saying how to recover', async () => {
    const path = await filledDatabase('corrupt.db');
    const pages = statSync(path).size / PAGE;
    expect(pages).toBeGreaterThan(20);
    // Overwrite one page near the end (snapshot rows or their index): the header, the schema and the
    // tables checked at open stay intact, so without quick_check nothing would read it until a chart did.
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(PAGE, 0xa5), 0, PAGE, (pages - 3) * PAGE);
    closeSync(fd);

    let error: unknown;
    try {
      await openStore(path).close();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(new RegExp(`^DATABASE_PATH ${path}: the database file is corrupt \\(`));
    expect(message).toContain('copy your last backup (made with `hashwatch backup <file>`) to this path');
  });

  it('opens a healthy database as before', async () => {
    const store = openStore(await filledDatabase('healthy.db'));
    expect((await store.snapshots.latest('price_usd'))!.value).toBe(64_999);
    await store.close();
  });
});

describe('closing', () => {
  it('a store closed without ever being queried lets go of its file (SQLite removes the WAL at the last close)', async () => {
    const path = join(dir, 'unused.db');
    const store = openStore(path);
    expect(existsSync(`${path}-wal`)).toBe(true);
    await store.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });
});

describe('backupDatabase', () => {
  it('copies every row with the online backup API, and never overwrites an existing file', async () => {
    const path = await filledDatabase('source.db');
    const store = openStore(path); // the bot may be running while the backup is taken
    const dest = join(dir, 'backup.db');
    const { bytes } = await backupDatabase(path, dest);
    expect(bytes).toBeGreaterThan(0);
    const copy = new Database(dest, { readonly: true });
    expect(copy.prepare('SELECT COUNT(*) AS n FROM metric_snapshots').get()).toEqual({ n: 5000 });
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    copy.close();
    await expect(backupDatabase(path, dest)).rejects.toThrow(`backup: ${dest} already exists; remove it or name another file`);
    await expect(backupDatabase(path, path)).rejects.toThrow('is the database itself');
    await expect(backupDatabase(path, join(dir, 'missing', 'b.db'))).rejects.toThrow(
      `backup: folder ${join(dir, 'missing')} does not exist`,
    );
    await store.close();
  });

  it('refuses to back up a damaged database (a copy of the damage is no backup)', async () => {
    const path = await filledDatabase('bad-source.db');
    const pages = statSync(path).size / PAGE;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(PAGE, 0xa5), 0, PAGE, (pages - 3) * PAGE);
    closeSync(fd);
    const dest = join(dir, 'bad-backup.db');
    await expect(backupDatabase(path, dest)).rejects.toThrow(/the database file is corrupt/);
    expect(existsSync(dest)).toBe(false);
  });
});

describe('DATABASE_PATH on a file system that refuses folders', () => {
  // Node's recursive mkdir loops forever at 100 % CPU under /proc (mkdir answers ENOENT although the
  // parent exists); a child process with a timeout keeps a regression from hanging the suite.
  it.skipIf(!existsSync('/proc/self'))('stops at once with one line under /proc', () => {
    const r = spawnSync(process.execPath, ['bin/hashwatch.js'], {
      env: { PATH: process.env.PATH, DATABASE_PATH: '/proc/hashwatch-test/data/bot.db' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.signal).toBeNull(); // not killed by the timeout
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      'hashwatch: DATABASE_PATH /proc/hashwatch-test/data/bot.db: cannot create its folder here (this file system does not allow new folders)',
    );
  });
});
