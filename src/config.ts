/**
 * The one place that reads the environment. Everything else receives a typed Config.
 * A bad value stops start-up with one line naming the variable and what it expects.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseTimeOfDay } from './core/local-time.ts';
import { sqliteFileAt } from './store/location.ts';

const url = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && URL.canParse(v), `expected an http(s) URL (${what})`)
    .transform((v) => v.replace(/\/+$/, ''));

/** Unset: the default URL. Set to an empty value: off (nothing is ever sent there). */
const fallbackUrl = (what: string, fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined ? fallback : v.trim() === '' ? undefined : v))
    .pipe(url(what).optional());

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const int = (min: number, max: number) =>
  z.coerce
    .number({ message: `expected a whole number from ${min} to ${max}` })
    .int(`expected a whole number from ${min} to ${max}`)
    .min(min, `expected a whole number from ${min} to ${max}`)
    .max(max, `expected a whole number from ${min} to ${max}`);

const optionalNumber = (min: number, max: number, what: string) => {
  const message = `expected a number from ${min} to ${max} (${what})`;
  return z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : Number(v)))
    .pipe(z.number({ message }).min(min, message).max(max, message).optional());
};

/** Unset or empty: undefined. */
const optionalWholeNumber = (min: number, max: number) => {
  const message = `expected a whole number from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : Number(v)))
    .pipe(z.number({ message }).int(message).min(min, message).max(max, message).optional());
};

/** Discord's largest bots run tens of thousands of shards; past this a value is a typo. */
const MAX_DISCORD_SHARDS = 100_000;

/** One item of a DISCORD_SHARDS list, `3` or `0-3`, as its first and last id, or what is wrong with it. */
function shardRange(item: string): { from: number; to: number } | string {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(item);
  if (!match) return 'expected auto, or shard ids and ranges such as 0-1 or 2,3';
  const from = Number(match[1]);
  const to = Number(match[2] ?? match[1]);
  if (from > to) return 'a range runs from the lower shard id to the higher, e.g. 2-3';
  if (to >= MAX_DISCORD_SHARDS) return `expected shard ids below ${MAX_DISCORD_SHARDS}`;
  return { from, to };
}

/**
 * DISCORD_SHARDS: `auto` (also when unset), or the shard ids this process runs as ids and ranges,
 * e.g. `0-1` or `2,3` or `0-3,8`.
 */
const discordShards = optionalText.transform((v, ctx): 'auto' | number[] => {
  if (v === undefined || v.toLowerCase() === 'auto') return 'auto';
  const ids = new Set<number>();
  for (const item of v.split(',')) {
    const range = shardRange(item);
    if (typeof range === 'string') {
      ctx.addIssue({ code: 'custom', message: range });
      return z.NEVER;
    }
    for (let id = range.from; id <= range.to; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
});

const schema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MEMPOOL_API_URL: url('mempool REST base, e.g. https://mempool.space/api').default('https://mempool.space/api'),
  PRICE_FALLBACK_URL: fallbackUrl('Coinbase API base, or empty for no price fallback', 'https://api.coinbase.com'),
  CHAIN_FALLBACK_URL: fallbackUrl('blockchain.info base, or empty for no chain fallback', 'https://blockchain.info'),
  HTTP_TIMEOUT_MS: int(100, 120_000).default(8_000),

  DISCORD_TOKEN: optionalText,
  DISCORD_API_URL: url('Discord REST base').default('https://discord.com/api'),
  DISCORD_APP_ID: optionalText.pipe(
    z
      .string()
      .regex(/^\d{5,25}$/, 'expected a numeric snowflake id')
      .optional(),
  ),
  DISCORD_GUILD_ID: optionalText.pipe(
    z
      .string()
      .regex(/^\d{5,25}$/, 'expected a numeric snowflake id')
      .optional(),
  ),

  DISCORD_SHARDS: discordShards,
  DISCORD_SHARD_COUNT: optionalWholeNumber(1, MAX_DISCORD_SHARDS),

  TELEGRAM_BOT_TOKEN: optionalText.pipe(
    z
      .string()
      .regex(/^\d+:[\w-]{10,}$/, 'expected a BotFather token like 123456:ABC-DEF…')
      .optional(),
  ),
  TELEGRAM_API_ROOT: url('Telegram Bot API root').default('https://api.telegram.org'),
  TELEGRAM_WEBHOOK_URL: optionalText.pipe(url('public https URL Telegram posts updates to').optional()),
  TELEGRAM_WEBHOOK_SECRET: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,256}$/, 'expected 8-256 characters of A-Z a-z 0-9 _ -')
      .optional(),
  ),
  TELEGRAM_WEBHOOK_PORT: int(1, 65_535).default(8443),

  DATABASE_PATH: z.string().trim().min(1, 'expected a file path').default('./data/hashwatch.db'),
  // Unset: the SQLite file at DATABASE_PATH. Checked here for its form only; whether the server
  // answers is the store's to say at start-up.
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .refine(
        (v) => (/^sqlite:./i.test(v) && v.trim().length > 'sqlite:'.length) || (/^postgres(ql)?:\/\/[^\s]+$/i.test(v) && URL.canParse(v)),
        'expected sqlite:<file path> or postgres://user:password@host:5432/database',
      )
      .optional(),
  ),
  MAX_ALERTS_PER_USER: int(1, 1000).default(25),
  // The same reading as "/digest dm 7:30": one parser for a time of day everywhere.
  DIGEST_DEFAULT_TIME: z
    .string()
    .transform((v, ctx) => {
      const time = parseTimeOfDay(v);
      if (time !== undefined) return time;
      ctx.addIssue({ code: 'custom', message: 'expected HH:MM (24 h), e.g. 14:00 or 7:30' });
      return z.NEVER;
    })
    .default('14:00'),
  POLL_INTERVAL_SEC: int(10, 3600).default(60),

  // The operator endpoints (/healthz, /readyz, /metrics): off unless a port is given.
  HTTP_PORT: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), int(1, 65_535).optional()),
  // All interfaces: load balancers, container probes and Prometheus ask from another address.
  HTTP_HOST: z
    .string()
    .trim()
    .refine(
      (v) => isIP(v) !== 0 || /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/.test(v),
      'expected an IP address or a host name, e.g. 127.0.0.1',
    )
    .default('0.0.0.0'),

  // Benchmarks from the outside world; empty keeps the cited default (src/core/metrics/benchmarks.ts).
  AI_LEASE_USD_PER_MW_YEAR: optionalNumber(0, 100_000_000, 'USD per MW per year, e.g. 1800000'),
  REFERENCE_POWER_USD_PER_KWH: optionalNumber(0, 2, 'USD per kWh, e.g. 0.06'),
});

export type Config = z.infer<typeof schema>;

/** Every variable the schema reads, in declaration order (`hashwatch --help` lists them). */
export const CONFIG_VARIABLES = Object.keys(schema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads `.env` (when present) into the environment without overriding what is already set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) picked[key] = env[key];
  const parsed = schema.safeParse(picked);
  if (parsed.success) {
    const cfg = parsed.data;
    if (cfg.TELEGRAM_WEBHOOK_URL && !cfg.TELEGRAM_WEBHOOK_SECRET) {
      throw new ConfigError('TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_WEBHOOK_URL is set (8-256 characters of A-Z a-z 0-9 _ -)');
    }
    if (cfg.TELEGRAM_WEBHOOK_URL && cfg.HTTP_PORT === cfg.TELEGRAM_WEBHOOK_PORT) {
      throw new ConfigError(`HTTP_PORT: ${cfg.HTTP_PORT} is already TELEGRAM_WEBHOOK_PORT; give the operator endpoints another port`);
    }
    const shardProblem = discordShardProblem(cfg);
    if (shardProblem) throw new ConfigError(shardProblem);
    return cfg;
  }
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0] ?? 'config');
  // Never echo the value: it may be a token.
  throw new ConfigError(`${name}: ${issue.message}`);
}

/**
 * Where the store lives, for openStoreAt: DATABASE_URL when set (a postgres:// URL, or
 * sqlite:<path>), else the SQLite file at DATABASE_PATH.
 */
export function storeLocation(cfg: Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH'>): string {
  return cfg.DATABASE_URL ?? cfg.DATABASE_PATH;
}

/** The SQLite file the store is, or undefined when it is PostgreSQL. */
export function sqliteFileOf(cfg: Pick<Config, 'DATABASE_URL' | 'DATABASE_PATH'>): string | undefined {
  return sqliteFileAt(storeLocation(cfg));
}

/** The password inside a database URL, when it has one. */
function passwordOf(databaseUrl: string | undefined): string | undefined {
  if (!databaseUrl || !URL.canParse(databaseUrl)) return undefined;
  const { password } = new URL(databaseUrl);
  return password ? decodeURIComponent(password) : undefined;
}

/** The two shard variables only make sense together: a list needs the total, `auto` asks Discord for it. */
function discordShardProblem(cfg: Config): string | undefined {
  const shards = cfg.DISCORD_SHARDS;
  const count = cfg.DISCORD_SHARD_COUNT;
  if (shards === 'auto') {
    return count === undefined
      ? undefined
      : `DISCORD_SHARD_COUNT: only with a DISCORD_SHARDS list (DISCORD_SHARDS=auto takes Discord's recommended count; for ${count} shards in this process set DISCORD_SHARDS=0-${count - 1})`;
  }
  if (count === undefined)
    return 'DISCORD_SHARD_COUNT: required with a DISCORD_SHARDS list (the total number of shards over all instances)';
  const outside = shards.find((id) => id >= count);
  if (outside !== undefined) {
    return `DISCORD_SHARDS: shard ${outside} does not exist with DISCORD_SHARD_COUNT=${count} (ids run from 0 to ${count - 1})`;
  }
  return undefined;
}

/** Values that must never reach a log line or a reply. */
export function secretsOf(cfg: Config): string[] {
  return [
    cfg.DISCORD_TOKEN,
    cfg.TELEGRAM_BOT_TOKEN,
    cfg.TELEGRAM_WEBHOOK_SECRET,
    cfg.DATABASE_URL?.startsWith('sqlite:') ? undefined : cfg.DATABASE_URL,
    passwordOf(cfg.DATABASE_URL),
  ].filter((s): s is string => typeof s === 'string' && s.length > 0);
}
