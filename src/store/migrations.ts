/**
 * Schema history. Each entry runs once, in its own transaction, and bumps PRAGMA user_version,
 * so a database is always at a known version and a failed migration leaves nothing half-applied.
 * Never edit a shipped migration: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    external_id TEXT NOT NULL,
    name TEXT,
    created_ms INTEGER NOT NULL,
    UNIQUE (platform, external_id)
  );

  CREATE TABLE alert_rules (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    spec TEXT NOT NULL,
    cooldown_sec INTEGER NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    created_ms INTEGER NOT NULL
  );
  CREATE INDEX alert_rules_user ON alert_rules(user_id);

  CREATE TABLE alert_state (
    rule_id INTEGER PRIMARY KEY REFERENCES alert_rules(id) ON DELETE CASCADE,
    armed INTEGER,
    episode INTEGER NOT NULL DEFAULT 0,
    last_fired_ms INTEGER,
    memo TEXT,
    updated_ms INTEGER NOT NULL
  );

  CREATE TABLE digest_schedules (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'channel')),
    time TEXT NOT NULL,
    timezone TEXT NOT NULL,
    created_by TEXT,
    last_date TEXT,
    disabled_reason TEXT,
    created_ms INTEGER NOT NULL,
    UNIQUE (platform, chat_id)
  );

  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    idem_key TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    dest_kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    lease_until_ms INTEGER,
    last_error TEXT,
    created_ms INTEGER NOT NULL,
    sent_ms INTEGER
  );
  CREATE INDEX outbox_due ON outbox(status, next_attempt_ms);
  CREATE INDEX outbox_dest ON outbox(platform, chat_id, status);

  CREATE TABLE metric_snapshots (
    metric TEXT NOT NULL,
    ts_sec INTEGER NOT NULL,
    value REAL NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (metric, ts_sec)
  ) WITHOUT ROWID;
  `,
];
