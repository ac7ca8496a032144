/**
 * The one place that reads the environment. Everything else receives a typed Config.
 * A bad value stops start-up with one line naming the variable and what it expects.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseTimeOfDay } from './core/local-time.ts';

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

  DATABASE_PATH: z.string().trim().min(1, 'expected a file path').default('./market-data/hashwatch.db'),
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
    return cfg;
  }
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0] ?? 'config');
  // Never echo the value: it may be a token.
  throw new ConfigError(`${name}: ${issue.message}`);
}

/** Values that must never reach a log line or a reply. */
export function secretsOf(cfg: Config): string[] {
  return [cfg.DISCORD_TOKEN, cfg.TELEGRAM_BOT_TOKEN, cfg.TELEGRAM_WEBHOOK_SECRET].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
}
