/**
 * The CLI as someone installs it: `npm pack`, then `npm install -g --offline` of that tarball into a
 * temporary prefix, then `hashwatch` run from an unrelated folder against the local mempool stand-in.
 *
 * Offline install needs every dependency's registry metadata in the npm cache. `npm ci` does not
 * leave it there (it installs from the lockfile), so on a fresh clone the install answers
 * ENOTCACHED and this test skips, saying so; after one online `npm install -g` of the tarball the
 * cache holds it. Install scripts are skipped: offline, better-sqlite3 would compile SQLite from
 * source (its prebuilt binary is downloaded from GitHub), minutes on a busy machine, and the
 * one-shot commands tried here never open the database.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
let fake: FakeMempool;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hashwatch-packed-'));
  fake = await startFakeMempool();
});
afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

const npm = (args: string[], cwd: string) =>
  exec('npm', args, {
    cwd,
    timeout: 90_000,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
  });

describe('the packed CLI', () => {
  it('installs offline into a fresh prefix and answers `hashwatch hashprice` from another folder', { timeout: 150_000 }, async (ctx) => {
    // The test run's global setup has just built dist/; packing without the prepare script keeps
    // that build in place for the other test files running meanwhile.
    const { stdout: packed } = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT);
    const [{ filename, files }] = JSON.parse(packed) as [{ filename: string; files: { path: string }[] }];
    // What a user gets: the compiled program and its docs. No TypeScript: npm stamps extracted
    // files with the time of the install, so shipped sources would look newer than dist/ and every
    // start would fall back to compiling them (seconds instead of a fraction of one).
    const paths = files.map((f) => f.path);
    expect(paths).toContain('bin/hashwatch.js');
    expect(paths).toContain('dist/entry.js');
    expect(paths.filter((p) => /^(src|commands|test|bench)\//.test(p))).toEqual([]);

    const prefix = join(dir, 'prefix');
    const install = await npm(['install', '--global', '--prefix', prefix, '--offline', '--ignore-scripts', join(dir, filename)], dir).catch(
      (e: { stderr: string }) => ({ stderr: e.stderr, failed: true as const }),
    );
    if ('failed' in install) {
      const missing = /request to (\S+) failed: cache mode is 'only-if-cached'/.exec(install.stderr)?.[1];
      if (missing) {
        const note = `npm cache lacks ${missing}; install the tarball once online (npm install -g hashwatch-*.tgz) to fill it`;
        process.stderr.write(`packed CLI test skipped: ${note}\n`);
        ctx.skip(note);
      }
      throw new Error(`npm install -g --offline failed:\n${install.stderr}`);
    }

    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const hashwatch = join(prefix, 'bin', 'hashwatch');
    const env = { PATH: process.env.PATH, HOME: elsewhere, ...fake.env, HTTP_TIMEOUT_MS: '8000' };
    const version = await exec(hashwatch, ['--version'], { cwd: elsewhere, env, timeout: 30_000 });
    expect(version.stdout.trim()).toBe(VERSION);

    const answer = await exec(hashwatch, ['hashprice', '--json'], { cwd: elsewhere, env, timeout: 30_000 });
    // The fake's hand-checked hashprice (test/cli.test.ts): $38.86 per PH/day.
    expect(JSON.parse(answer.stdout)).toMatchObject({ usdPerPhDay: expect.closeTo(38.86, 2) });
  });
});
