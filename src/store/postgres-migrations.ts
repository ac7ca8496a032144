/**
 * PostgreSQL schema history. Version 1 is SQLite's final schema (migrations.ts) in
 * PostgreSQL's words: identity columns (ids never handed out twice), BIGINT milliseconds, DOUBLE
 * PRECISION values, 0/1 integers where SQLite has them (one set of queries reads both). Applied
 * versions are rows of hashwatch_schema. Never edit a shipped migration: append a new one.
 */
import { sql } from 'kysely';
import type { Db } from './dialect.ts';

/**
 * Advisory lock keys (pg_advisory_*), one per purpose, so one instance's migration never waits on
 * another's rule change. Arbitrary constants; only their being distinct matters.
 */
const LOCK_MIGRATIONS = 0x6877_0001;
const LOCK_RULE_CHANGES = 0x6877_0002;

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT,
    created_ms BIGINT NOT NULL,
    UNIQUE (platform, external_id)
  );

  CREATE TABLE alert_rules (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    spec TEXT NOT NULL,
    cooldown_sec INTEGER NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    created_ms BIGINT NOT NULL
  );
  CREATE INDEX alert_rules_user ON alert_rules(user_id);

  CREATE TABLE alert_state (
    rule_id BIGINT PRIMARY KEY REFERENCES alert_rules(id) ON DELETE CASCADE,
    armed INTEGER,
    episode INTEGER NOT NULL DEFAULT 0,
    last_fired_ms BIGINT,
    memo TEXT,
    updated_ms BIGINT NOT NULL
  );

  CREATE TABLE digest_schedules (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'channel')),
    time TEXT NOT NULL,
    timezone TEXT NOT NULL,
    created_by TEXT,
    last_date TEXT,
    disabled_reason TEXT,
    created_ms BIGINT NOT NULL,
    UNIQUE (platform, chat_id)
  );

  CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idem_key TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    dest_kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    lease_until_ms BIGINT,
    last_error TEXT,
    created_ms BIGINT NOT NULL,
    sent_ms BIGINT
  );
  CREATE INDEX outbox_due ON outbox(status, next_attempt_ms);
  CREATE INDEX outbox_dest ON outbox(platform, chat_id, status);

  CREATE TABLE metric_snapshots (
    metric TEXT NOT NULL,
    ts_sec BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (metric, ts_sec)
  );

  CREATE TABLE user_settings (
    user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    currency TEXT,
    zone TEXT,
    power_per_kwh DOUBLE PRECISION,
    power_currency TEXT,
    efficiency_j_per_th DOUBLE PRECISION,
    updated_ms BIGINT NOT NULL
  );
  CREATE TABLE chat_settings (
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    currency TEXT,
    zone TEXT,
    power_per_kwh DOUBLE PRECISION,
    power_currency TEXT,
    efficiency_j_per_th DOUBLE PRECISION,
    updated_by TEXT,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (platform, chat_id)
  );

  -- As SQLite's migration 5, with one more duty: sequence values are handed out at insert but
  -- become visible at commit, so a reader could see seq 11 before 10 and move its cursor past 10
  -- for good. The trigger takes a transaction-level advisory lock before drawing its number, held
  -- until commit: rule-changing transactions commit one after another in seq order, and whatever
  -- a reader sees is a gap-free prefix. (Rule changes are user-paced; the wait is nothing.)
  CREATE TABLE rule_changes (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id BIGINT NOT NULL
  );
  CREATE FUNCTION hashwatch_log_rule_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_advisory_xact_lock(${LOCK_RULE_CHANGES});
    INSERT INTO rule_changes (rule_id) VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
    RETURN NULL;
  END $$;
  CREATE TRIGGER rule_added_or_removed AFTER INSERT OR DELETE ON alert_rules
    FOR EACH ROW EXECUTE FUNCTION hashwatch_log_rule_change();
  CREATE TRIGGER rule_switched AFTER UPDATE OF paused, disabled_reason ON alert_rules
    FOR EACH ROW WHEN (OLD.paused IS DISTINCT FROM NEW.paused OR (OLD.disabled_reason IS NULL) <> (NEW.disabled_reason IS NULL))
    EXECUTE FUNCTION hashwatch_log_rule_change();
  `,
];

/**
 * Brings the database to the latest version. Two instances starting at once on an empty database
 * would both see version 0 and both create the tables: the first to take the advisory lock
 * migrates, the other waits for its commit and then finds nothing to do.
 */
export async function migratePostgres(db: Db): Promise<{ from: number; to: number }> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(LOCK_MIGRATIONS)})`.execute(tx);
    await sql`CREATE TABLE IF NOT EXISTS hashwatch_schema (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)`.execute(tx);
    const { rows } = await sql<{ v: number | null }>`SELECT MAX(version) AS v FROM hashwatch_schema`.execute(tx);
    const from = rows[0]?.v ?? 0;
    if (from > POSTGRES_MIGRATIONS.length) {
      throw new NewerSchemaError(from, POSTGRES_MIGRATIONS.length);
    }
    for (let version = from + 1; version <= POSTGRES_MIGRATIONS.length; version++) {
      await sql.raw(POSTGRES_MIGRATIONS[version - 1]!).execute(tx);
      await sql`INSERT INTO hashwatch_schema (version, applied_ms) VALUES (${version}, ${Date.now()})`.execute(tx);
    }
    return { from, to: POSTGRES_MIGRATIONS.length };
  });
}

export class NewerSchemaError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`schema version ${found} is newer than this hashwatch understands (${known}); upgrade hashwatch`);
  }
}
