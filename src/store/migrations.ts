/**
 * SQLite schema history (PostgreSQL's is postgres-migrations.ts, born at this one's final shape).
 * Each entry runs once, in its own transaction, and bumps PRAGMA user_version,
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
  // 2: rule ids are never handed out again (AUTOINCREMENT). A plain INTEGER PRIMARY KEY reuses the
  // highest id once that rule is removed, and the outbox key alert:<rule>:<episode> of the new rule
  // then collides with the old rule's row, so the new owner's alert was silently dropped. Ids of
  // rules removed before this migration may still name outbox rows: the sequence starts past them.
  // Runs with foreign keys off (see open.ts), so dropping the old table does not cascade to alert_state.
  `
  CREATE TABLE alert_rules_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    spec TEXT NOT NULL,
    cooldown_sec INTEGER NOT NULL,
    paused INTEGER NOT NULL DEFAULT 0,
    disabled_reason TEXT,
    created_ms INTEGER NOT NULL
  );
  INSERT INTO alert_rules_v2 (id, user_id, spec, cooldown_sec, paused, disabled_reason, created_ms)
    SELECT id, user_id, spec, cooldown_sec, paused, disabled_reason, created_ms FROM alert_rules;
  DROP TABLE alert_rules;
  ALTER TABLE alert_rules_v2 RENAME TO alert_rules;
  CREATE INDEX alert_rules_user ON alert_rules(user_id);
  INSERT INTO sqlite_sequence (name, seq)
    SELECT 'alert_rules', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'alert_rules');
  UPDATE sqlite_sequence SET seq = MAX(seq, COALESCE((
      SELECT MAX(CAST(substr(idem_key, 7, instr(substr(idem_key, 7), ':') - 1) AS INTEGER))
      FROM outbox WHERE idem_key LIKE 'alert:%'), 0))
    WHERE name = 'alert_rules';
  `,
  // 3: the metric "difficulty" became the difficulty level (T); rules stored by 0.1 with it meant
  // the estimated change at the next retarget, which is now "difficulty_change". Renamed here so no
  // stored rule changes meaning (its threshold stays a percent; its state stays valid, as the
  // value it is compared with is the same). A spec that is not JSON is left for the engine to skip.
  `
  UPDATE alert_rules SET spec = json_set(spec, '$.metric', 'difficulty_change')
    WHERE json_valid(spec) AND json_extract(spec, '$.metric') = 'difficulty';
  `,
  // 4 (settings): /settings, per user and per chat. A NULL column is "not set here": the reply falls
  // back to the chat's, then the default. A user's row goes with the user (ON DELETE CASCADE); a chat's
  // stays with the chat. The power price keeps the currency it was given in.
  `
  CREATE TABLE user_settings (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    currency TEXT,
    zone TEXT,
    power_per_kwh REAL,
    power_currency TEXT,
    efficiency_j_per_th REAL,
    updated_ms INTEGER NOT NULL
  );
  CREATE TABLE chat_settings (
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    currency TEXT,
    zone TEXT,
    power_per_kwh REAL,
    power_currency TEXT,
    efficiency_j_per_th REAL,
    updated_by TEXT,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (platform, chat_id)
  );
  `, // 5: every instance keeps its rules in memory, so each must learn what another changed. Every
  // insert, delete, pause/resume and disable/enable of a rule is logged here by the statement
  // making it (triggers: no code path can forget). AUTOINCREMENT: a cursor never sees a seq twice.
  `
  CREATE TABLE rule_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id INTEGER NOT NULL
  );
  CREATE TRIGGER rule_inserted AFTER INSERT ON alert_rules
    BEGIN INSERT INTO rule_changes (rule_id) VALUES (NEW.id); END;
  CREATE TRIGGER rule_deleted AFTER DELETE ON alert_rules
    BEGIN INSERT INTO rule_changes (rule_id) VALUES (OLD.id); END;
  CREATE TRIGGER rule_switched AFTER UPDATE OF paused, disabled_reason ON alert_rules
    WHEN OLD.paused IS NOT NEW.paused OR (OLD.disabled_reason IS NULL) IS NOT (NEW.disabled_reason IS NULL)
    BEGIN INSERT INTO rule_changes (rule_id) VALUES (NEW.id); END;
  `,
];
