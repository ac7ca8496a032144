/**
 * Processes opening one new SQLite file at the same moment (a restart that overlaps the old
 * process's shutdown, a second `npm start` by mistake) all find it migrated once: none fails on a
 * table the other just created.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.ts';

const child = fileURLToPath(new URL('./open-child.ts', import.meta.url));

function open(path: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, path], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    proc.once('error', reject);
    proc.once('exit', (code) => resolve({ code, stderr }));
  });
}

it('four processes opening one new file at once all succeed, and every migration ran once', async () => {
  for (let round = 0; round < 3; round++) {
    const path = join(mkdtempSync(join(tmpdir(), 'hashwatch-open-')), 'race.db');
    const results = await Promise.all([open(path), open(path), open(path), open(path)]);
    for (const r of results) expect(r).toEqual({ code: 0, stderr: '' });
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  }
});
