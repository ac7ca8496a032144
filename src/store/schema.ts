/**
 * The tables as Kysely sees them, the same on both engines. Booleans stay 0/1 integers (SQLite has
 * no boolean, and one set of queries reads both), and BIGINT columns arrive as JS numbers (the
 * PostgreSQL pool parses int8 itself: see open-postgres.ts).
 */
import type { Generated } from 'kysely';

interface UsersTable {
  id: Generated<number>;
  platform: string;
  external_id: string;
  name: string | null;
  created_ms: number;
}

interface AlertRulesTable {
  id: Generated<number>;
  user_id: number;
  spec: string;
  cooldown_sec: number;
  paused: Generated<number>;
  disabled_reason: string | null;
  created_ms: number;
}

interface AlertStateTable {
  rule_id: number;
  armed: number | null;
  episode: number;
  last_fired_ms: number | null;
  memo: string | null;
  updated_ms: number;
}

interface RuleChangesTable {
  seq: Generated<number>;
  rule_id: number;
}

interface DigestSchedulesTable {
  id: Generated<number>;
  platform: string;
  chat_id: string;
  kind: 'user' | 'channel';
  time: string;
  timezone: string;
  created_by: string | null;
  last_date: string | null;
  disabled_reason: Generated<string | null>;
  created_ms: number;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

interface OutboxTable {
  id: Generated<number>;
  idem_key: string;
  platform: string;
  chat_id: string;
  dest_kind: string;
  payload: string;
  status: Generated<OutboxStatus>;
  attempts: Generated<number>;
  next_attempt_ms: number;
  lease_until_ms: number | null;
  last_error: string | null;
  created_ms: number;
  sent_ms: number | null;
}

interface MetricSnapshotsTable {
  metric: string;
  ts_sec: number;
  value: number;
  source: string;
}

interface SettingsColumns {
  currency: string | null;
  zone: string | null;
  power_per_kwh: number | null;
  power_currency: string | null;
  efficiency_j_per_th: number | null;
  updated_ms: number;
}

interface UserSettingsTable extends SettingsColumns {
  user_id: number;
}

interface ChatSettingsTable extends SettingsColumns {
  platform: string;
  chat_id: string;
  updated_by: string | null;
}

export interface Database {
  users: UsersTable;
  alert_rules: AlertRulesTable;
  alert_state: AlertStateTable;
  rule_changes: RuleChangesTable;
  digest_schedules: DigestSchedulesTable;
  outbox: OutboxTable;
  metric_snapshots: MetricSnapshotsTable;
  user_settings: UserSettingsTable;
  chat_settings: ChatSettingsTable;
}
