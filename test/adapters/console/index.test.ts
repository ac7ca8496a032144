import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { runConsole } from '../../../src/adapters/console/index.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { createMarket } from '../../../src/sources/index.ts';
import { startFakeMempool, type FakeMempool } from '../../fakes/mempool.ts';
import { TIP_TIME_SEC } from '../../fakes/world.ts';

const exec = promisify(execFile);
let fake: FakeMempool;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fake = await startFakeMempool();
  env = {
    PATH: process.env.PATH,
    ...fake.env,
    HTTP_TIMEOUT_MS: '2000',
  };
});
afterAll(async () => {
  await fake.close();
});

describe('terminal prompt', () => {
  it('answers chat-style commands in order and survives bad input', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const market = createMarket({ config: loadConfig(env), logger: silentLogger });
    const done = runConsole({
      commands,
      logger: silentLogger,
      input,
      output,
      makeContext: () => ({ market, now: () => Date.now(), platform: 'console', version: 'test', services: {} }),
    });
    input.write('/hashprice\n/nosuchthing\n/price currency=<b>x</b>\n/help profit\n/quit\n');
    await done;
    expect(text).toContain('Hashprice');
    expect(text).toContain('$38.86');
    expect(text).toContain('There is no /nosuchthing');
    expect(text).toContain('`currency` must be one of: USD, EUR');
    expect(text).toContain('/profit');
    expect(text.indexOf('Hashprice')).toBeLessThan(text.indexOf('There is no /nosuchthing'));
  });
});

describe('terminal prompt safety and waiting', () => {
  const prompt = async (
    lines: string,
    extra: { waitingNotice?: string; waitingAfterMs?: number; chartsDir?: string } = {},
    now = Date.now,
  ) => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const market = createMarket({ config: loadConfig(env), logger: silentLogger });
    const done = runConsole({
      commands,
      logger: silentLogger,
      input,
      output,
      ...extra,
      makeContext: () => ({ market, now, platform: 'console', version: 'test', services: {} }),
    });
    input.write(lines);
    await done;
    return text;
  };

  it('never echoes a control sequence the user typed (issue 10 #9)', async () => {
    const text = await prompt('/price currency=\u001b]0;pwned\u0007\u001b[2J\u0008\u009bX\n/quit\n');
    expect(text).toContain('(got "]0;pwned[2JX")');
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('/chart saves the PNG under the charts folder and prints its path (issue 9 §3)', async () => {
    const NOW = (TIP_TIME_SEC + 7 * 60) * 1000; // 2025-04-01 21:07:40 UTC, the fake's world
    const chartsDir = join(mkdtempSync(join(tmpdir(), 'hashwatch-data-')), 'charts');
    const text = await prompt('/chart hashprice 30d\n/quit\n', { chartsDir }, () => NOW);
    const path = join(chartsDir, 'hashprice-30d-20250401-210740.png');
    expect(text).toContain(`\nChart saved to ${path}\n`);
    expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');

    const blocked = join(mkdtempSync(join(tmpdir(), 'hashwatch-data-')), 'charts');
    writeFileSync(blocked, 'a file where the folder should be');
    const refused = await prompt('/chart hashprice 30d\n/quit\n', { chartsDir: blocked }, () => NOW);
    expect(refused).toContain(
      `Could not save the chart to ${join(blocked, 'hashprice-30d-20250401-210740.png')} (EEXIST); from a shell: hashwatch chart <metric> --out file.png`,
    );
  });

  it('says once what it is fetching from when an answer is slow', async () => {
    fake.setDelay('', 600);
    try {
      const text = await prompt('/difficulty\n/quit\n', { waitingNotice: 'fetching from mempool.example…', waitingAfterMs: 50 });
      expect(text.split('fetching from mempool.example…')).toHaveLength(2);
      expect(text.indexOf('fetching from')).toBeLessThan(text.indexOf('Difficulty adjustment'));
    } finally {
      fake.setDelay('', 0);
    }
  });
});

describe('hashwatch CLI', () => {
  const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    exec(process.execPath, ['bin/hashwatch.js', ...args], { env: { ...env, ...extraEnv }, timeout: 60_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('prints hashprice JSON with top-level numeric usdPerPhDay and btcPerPhDay', async () => {
    const r = await cli(['hashprice', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(typeof json.usdPerPhDay).toBe('number');
    expect(json.usdPerPhDay as number).toBeCloseTo(38.86398720675945, 9);
    expect(json.btcPerPhDay as number).toBeCloseTo(0.0005561532227641592, 14);
  });

  it('runs a what-if from flags and exits non-zero with a clear message on bad options', async () => {
    const ok = await cli(['hashprice', '--price', '60000', '--difficulty', '113757508810854', '--fees', '0.02', '--height', '890447']);
    expect(ok.stdout).toContain('$33.37');
    const bad = await cli(['hashprice', '--price', 'cheap']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('`price` must be a number from 1 to 10,000,000');
  });

  it('reads positional words and flags together', async () => {
    const r = await cli(['profit', 's19jpro', '0.06', '--hashrate', '2000']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Antminer S19j Pro (29.5 J/TH) at $0.06/kWh');
    expect(r.stdout).toContain('Fleet of 2,000 TH/s');
  });

  it('stops on bad configuration with one line naming the variable', async () => {
    const r = await cli(['hashprice'], { MEMPOOL_API_URL: 'mempool' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'hashwatch: configuration error: MEMPOOL_API_URL: expected an http(s) URL (mempool REST base, e.g. https://mempool.space/api)',
    );
  });

  it('refuses to start on an unusable database path, with one line naming it', async () => {
    // A regular file where the database's folder should be.
    const notADir = join(mkdtempSync(join(tmpdir(), 'hashwatch-db-')), 'file');
    writeFileSync(notADir, 'x');
    const r = await cli([], { DATABASE_PATH: join(notADir, 'bot.db') });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toBe(`hashwatch: DATABASE_PATH ${join(notADir, 'bot.db')}: a parent of this path is a file, not a directory`);
  });

  it('says plainly when upstream is unreachable, without crashing', async () => {
    const r = await cli(['hashrate'], {
      MEMPOOL_API_URL: 'http://127.0.0.1:9/api',
      PRICE_FALLBACK_URL: 'http://127.0.0.1:9',
      CHAIN_FALLBACK_URL: 'http://127.0.0.1:9',
      HTTP_TIMEOUT_MS: '300',
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/data unavailable/);
    expect(r.stdout).toMatch(/mempool \(127\.0\.0\.1\)/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
