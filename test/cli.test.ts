import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.ts';
import { startFakeDiscord, type FakeDiscord } from './fakes/discord.ts';
import { startFakeMempool, type FakeMempool } from './fakes/mempool.ts';

/** The one-shot CLI as a shell user runs it (issue 9 §3, issue 10 #9, #11, #12). */
const exec = promisify(execFile);
let fake: FakeMempool;
let dir: string;

beforeAll(async () => {
  fake = await startFakeMempool();
  dir = mkdtempSync(join(tmpdir(), 'hashwatch-cli-'));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.clearFaults();
  fake.setDelay('', 0);
});

const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  exec(process.execPath, ['bin/hashwatch.js', ...args], {
    env: { PATH: process.env.PATH, ...fake.env, HTTP_TIMEOUT_MS: '8000', DATABASE_PATH: join(dir, 'bot.db'), ...extraEnv },
    timeout: 60_000,
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe('a slow upstream', () => {
  it('says once on stderr what it is fetching from, keeping --json stdout one clean document', async () => {
    // Every answer of the fake waits 2.5 s: well past the 1 s notice, well inside the 8 s timeout.
    fake.setDelay('', 2_500);
    const r = await cli(['difficulty', '--json']);
    expect(r.code).toBe(0);
    const host = new URL(fake.env.MEMPOOL_API_URL).host;
    expect(r.stderr).toBe(`fetching from ${host}…\n`);
    expect(JSON.parse(r.stdout)).toHaveProperty('estimatedChangePercent');
  });
});

describe('--json', () => {
  it('exits non-zero when the command answers with an error, as text mode does', async () => {
    const down = {
      MEMPOOL_API_URL: 'http://127.0.0.1:9/api',
      PRICE_FALLBACK_URL: 'http://127.0.0.1:9',
      CHAIN_FALLBACK_URL: 'http://127.0.0.1:9',
      HTTP_TIMEOUT_MS: '300',
    };
    const json = await cli(['difficulty', '--json'], down);
    const text = await cli(['difficulty'], down);
    expect(text.code).toBe(1);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: '/difficulty: data unavailable' });
  });

  it('carries per figure group its source, age and stale flag: a price from the fallback says so', async () => {
    fake.setFault('/api/v1/prices', { kind: '500' });
    const r = await cli(['hashprice', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as {
      provenance: { what: string; source: string; stale: boolean; ageSec: number; fetchedAt: string; note?: string }[];
      footer: string[];
    };
    const price = json.provenance.find((p) => p.what === 'price')!;
    expect(price.source).toBe('Coinbase');
    expect(price.stale).toBe(false);
    expect(price.note).toMatch(/mempool \(127\.0\.0\.1\)/);
    const difficulty = json.provenance.find((p) => p.source === 'mempool (127.0.0.1)')!;
    expect(difficulty.stale).toBe(false);
    for (const p of json.provenance) {
      expect(p.ageSec).toBeGreaterThanOrEqual(0);
      expect(Number.isNaN(Date.parse(p.fetchedAt))).toBe(false);
    }
    expect(json.footer.join('\n')).toMatch(/Coinbase/);
  });
});

describe('chart --out', () => {
  it('refuses a name that is not .png, before fetching anything', async () => {
    fake.resetHits();
    const r = await cli(['chart', 'hashprice', '--out', join(dir, 'x.jpg')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`hashwatch: --out ${join(dir, 'x.jpg')}: charts are PNG images; name the file .png\n`);
    expect(fake.hits()).toBe(0);
  });

  it('gives one line for a missing folder, not a stack', async () => {
    const out = join(dir, 'no-such-folder', 'x.png');
    const r = await cli(['chart', 'hashprice', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`hashwatch: --out ${out}: folder ${join(dir, 'no-such-folder')} does not exist\n`);
  });
});

describe('numbers', () => {
  it('a power price of 5e-324 reads "< $0.0001/kWh", never exponent notation (issue 10 #10)', async () => {
    const r = await cli(['profit', 's19jpro', '5e-324']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Antminer S19j Pro (29.5 J/TH) at < $0.0001/kWh earns');
    expect(r.stdout).not.toMatch(/\de-\d/);
  });
});

describe('terminal safety', () => {
  it('prints no control sequence from a typed command name', async () => {
    const r = await cli(['\u001b]0;pwned\u0007\u001b[2Jhashprice']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hashwatch: unknown command "]0;pwned[2Jhashprice"');
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});

describe('register-commands', () => {
  let discord: FakeDiscord;
  beforeAll(async () => {
    discord = await startFakeDiscord();
  });
  afterAll(async () => {
    await discord.close();
  });

  it('a refused token gives one line naming what to check, as npm start does, and never the token', async () => {
    const r = await cli(['register-commands'], {
      DISCORD_TOKEN: 'wrong-token.discord.test',
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.guildId,
      LOG_LEVEL: 'silent',
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^hashwatch: registering Discord commands failed \(.*401.*\); check DISCORD_TOKEN, DISCORD_API_URL and DISCORD_GUILD_ID/,
    );
    expect(r.stderr).not.toContain('wrong-token');
  });
});

describe('hashwatch backup', () => {
  it('copies the database with the online backup API and refuses to overwrite', async () => {
    const db = join(dir, 'live.db');
    const store = openStore(db);
    await store.snapshots.upsertMany([{ metric: 'price_usd', tsSec: 600, value: 69_880, source: 'mempool.space' }]);
    const dest = join(dir, 'live-backup.db');
    const r = await cli(['backup', dest], { DATABASE_PATH: db });
    await store.close();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^backed up ${db} to ${dest} \\([\\d,]+ bytes\\)\\n$`));
    const copy = openStore(dest);
    expect((await copy.snapshots.latest('price_usd'))!.value).toBe(69_880);
    await copy.close();
    const again = await cli(['backup', dest], { DATABASE_PATH: db });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`hashwatch: backup: ${dest} already exists; remove it or name another file\n`);
    const none = await cli(['backup']);
    expect(none.code).toBe(2);
    expect(existsSync(join(dir, 'bot.db'))).toBe(false);
  });
  it('copies the file DATABASE_URL names with sqlite:, and points a PostgreSQL store to pg_dump without its password', async () => {
    const db = join(dir, 'by-url.db');
    const store = openStore(db);
    await store.close();
    const dest = join(dir, 'by-url-backup.db');
    const r = await cli(['backup', dest], { DATABASE_URL: `sqlite:${db}`, DATABASE_PATH: join(dir, 'unused.db') });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^backed up ${db} to ${dest} `));
    const pg = await cli(['backup', join(dir, 'pg.db')], { DATABASE_URL: 'postgres://bot:s3cret-pw@db.internal:5432/hashwatch' });
    expect(pg.code).toBe(2);
    expect(pg.stderr).toMatch(/DATABASE_URL is PostgreSQL: back it up with pg_dump/);
    expect(pg.stderr).not.toContain('s3cret-pw');
    expect(existsSync(join(dir, 'pg.db'))).toBe(false);
  });
});
