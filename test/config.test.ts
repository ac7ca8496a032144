import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, secretsOf, storeLocation } from '../src/config.ts';

describe('loadConfig', () => {
  it('uses documented defaults for an empty environment', () => {
    const cfg = loadConfig({});
    expect(cfg.MEMPOOL_API_URL).toBe('https://mempool.space/api');
    expect(cfg.TELEGRAM_API_ROOT).toBe('https://api.telegram.org');
    expect(cfg.DATABASE_PATH).toBe('./data/hashwatch.db');
    expect(cfg.MAX_ALERTS_PER_USER).toBe(25);
    expect(cfg.HTTP_TIMEOUT_MS).toBe(8000);
    expect(cfg.DISCORD_TOKEN).toBeUndefined();
  });

  it('treats empty values (as copied from .env.example) as unset', () => {
    const cfg = loadConfig({ DISCORD_TOKEN: '', TELEGRAM_BOT_TOKEN: '  ', DISCORD_APP_ID: '' });
    expect(cfg.DISCORD_TOKEN).toBeUndefined();
    expect(cfg.TELEGRAM_BOT_TOKEN).toBeUndefined();
  });

  it('strips trailing slashes from URLs', () => {
    expect(loadConfig({ MEMPOOL_API_URL: 'http://127.0.0.1:8999/api/' }).MEMPOOL_API_URL).toBe('http://127.0.0.1:8999/api');
  });

  it.each([
    ['MEMPOOL_API_URL', 'not a url', /^MEMPOOL_API_URL: expected an http\(s\) URL/],
    ['HTTP_TIMEOUT_MS', 'soon', /^HTTP_TIMEOUT_MS: expected a whole number from 100 to 120000/],
    ['HTTP_TIMEOUT_MS', '5', /^HTTP_TIMEOUT_MS: expected a whole number/],
    ['MAX_ALERTS_PER_USER', '2.5', /^MAX_ALERTS_PER_USER: expected a whole number/],
    ['DIGEST_DEFAULT_TIME', '25:00', /^DIGEST_DEFAULT_TIME: expected HH:MM/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL: /],
    ['TELEGRAM_BOT_TOKEN', 'abc', /^TELEGRAM_BOT_TOKEN: expected a BotFather token/],
    ['DISCORD_GUILD_ID', 'my-server', /^DISCORD_GUILD_ID: expected a numeric snowflake id/],
  ])('rejects %s=%j with one line naming it', (name, value, message) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('never echoes a bad secret value in the error', () => {
    const token = '123:short';
    expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: token })).toThrow(ConfigError);
    try {
      loadConfig({ TELEGRAM_BOT_TOKEN: token });
    } catch (err) {
      expect((err as Error).message).not.toContain(token);
    }
  });

  it('requires a webhook secret in webhook mode', () => {
    expect(() => loadConfig({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/tg' })).toThrow(/^TELEGRAM_WEBHOOK_SECRET: required/);
  });

  it('lists the secrets to redact', () => {
    const cfg = loadConfig({ DISCORD_TOKEN: 'disc-token-value', TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOP' });
    expect(secretsOf(cfg).sort()).toEqual(['123456:ABCDEFGHIJKLMNOP', 'disc-token-value']);
  });
});

describe('DIGEST_DEFAULT_TIME', () => {
  it.each([
    ['7:30', '07:30'],
    ['07:30', '07:30'],
    ['14', '14:00'],
    [' 9:05 ', '09:05'],
  ])('accepts %j as /digest dm does (→ %s)', (raw, time) => {
    // Before: "7:30" stopped start-up with "expected HH:MM" while "/digest dm 7:30" worked.
    expect(loadConfig({ DIGEST_DEFAULT_TIME: raw }).DIGEST_DEFAULT_TIME).toBe(time);
  });

  it.each(['25:00', '7.30', 'noon'])('refuses %j naming the variable', (raw) => {
    expect(() => loadConfig({ DIGEST_DEFAULT_TIME: raw })).toThrow(/^DIGEST_DEFAULT_TIME: expected HH:MM \(24 h\), e\.g\. 14:00 or 7:30$/);
  });
});

describe('DATABASE_URL', () => {
  it('unset or empty: the SQLite file at DATABASE_PATH, as before', () => {
    expect(storeLocation(loadConfig({}))).toBe('./data/hashwatch.db');
    expect(storeLocation(loadConfig({ DATABASE_URL: ' ', DATABASE_PATH: '/data/bot.db' }))).toBe('/data/bot.db');
  });

  it.each([
    ['sqlite:/var/lib/hashwatch/bot.db', 'sqlite:/var/lib/hashwatch/bot.db'],
    ['postgres://bot:pw@db.internal:5432/hashwatch', 'postgres://bot:pw@db.internal:5432/hashwatch'],
    ['postgresql://bot@127.0.0.1/hashwatch?sslmode=require', 'postgresql://bot@127.0.0.1/hashwatch?sslmode=require'],
  ])('%s is where the store lives', (value, location) => {
    expect(storeLocation(loadConfig({ DATABASE_URL: value, DATABASE_PATH: '/ignored.db' }))).toBe(location);
  });

  it.each(['mysql://bot:s3cret@db/hashwatch', 'sqlite:', 'postgres://', '/var/lib/bot.db'])(
    'refuses %j in one line, without echoing it',
    (value) => {
      let error: unknown;
      try {
        loadConfig({ DATABASE_URL: value });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toBe('DATABASE_URL: expected sqlite:<file path> or postgres://user:password@host:5432/database');
    },
  );

  it('is a secret (it holds a password), and so is the password alone', () => {
    const secrets = secretsOf(loadConfig({ DATABASE_URL: 'postgres://bot:p%40ss@db/hashwatch' }));
    expect(secrets).toContain('postgres://bot:p%40ss@db/hashwatch');
    expect(secrets).toContain('p@ss');
    expect(secretsOf(loadConfig({ DATABASE_URL: 'sqlite:/data/bot.db' }))).toEqual([]);
  });
});
