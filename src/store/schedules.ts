/** Daily digest schedules: one per chat (a channel/group, or a user's DM). */
import type { Database } from 'better-sqlite3';
import type { Sync } from './interim.ts';

export interface ScheduleRow {
  id: number;
  platform: string;
  chatId: string;
  kind: 'user' | 'channel';
  /** HH:MM in `timezone`. */
  time: string;
  /** IANA zone, e.g. Europe/Zurich. */
  timezone: string;
  createdBy: string | null;
  /** Local date (YYYY-MM-DD in the schedule's zone) of the last digest queued or deliberately skipped. */
  lastDate: string | null;
  disabledReason: string | null;
  createdMs: number;
}

export interface ScheduleRepo {
  /** Creates or replaces the chat's schedule (re-subscribing also re-enables a disabled one). */
  upsert(s: Omit<ScheduleRow, 'id' | 'disabledReason'>): Promise<ScheduleRow>;
  get(platform: string, chatId: string): Promise<ScheduleRow | undefined>;
  remove(platform: string, chatId: string): Promise<boolean>;
  active(): Promise<ScheduleRow[]>;
  markDate(id: number, localDate: string): Promise<void>;
  disableFor(platform: string, chatId: string, reason: string): Promise<number>;
  /** The chat can be reached again: undoes disableFor. */
  enableFor(platform: string, chatId: string): Promise<number>;
  /** Telegram group became a supergroup: the schedule follows it. */
  migrate(platform: string, fromChatId: string, toChatId: string): Promise<number>;
}

const COLUMNS = `id, platform, chat_id AS chatId, kind, time, timezone, created_by AS createdBy, last_date AS lastDate,
  disabled_reason AS disabledReason, created_ms AS createdMs`;

export function scheduleRepo(db: Database): Sync<ScheduleRepo> {
  const upsert = db.prepare(
    `INSERT INTO digest_schedules (platform, chat_id, kind, time, timezone, created_by, last_date, created_ms)
     VALUES (@platform, @chatId, @kind, @time, @timezone, @createdBy, @lastDate, @createdMs)
     ON CONFLICT (platform, chat_id) DO UPDATE SET kind = excluded.kind, time = excluded.time,
       timezone = excluded.timezone, created_by = excluded.created_by, last_date = excluded.last_date,
       disabled_reason = NULL
     RETURNING ${COLUMNS}`,
  );
  const get = db.prepare(`SELECT ${COLUMNS} FROM digest_schedules WHERE platform = ? AND chat_id = ?`);
  const remove = db.prepare('DELETE FROM digest_schedules WHERE platform = ? AND chat_id = ?');
  const active = db.prepare(`SELECT ${COLUMNS} FROM digest_schedules WHERE disabled_reason IS NULL ORDER BY id`);
  const mark = db.prepare('UPDATE digest_schedules SET last_date = ? WHERE id = ?');
  const disable = db.prepare(
    'UPDATE digest_schedules SET disabled_reason = ? WHERE platform = ? AND chat_id = ? AND disabled_reason IS NULL',
  );
  const enable = db.prepare(
    'UPDATE digest_schedules SET disabled_reason = NULL WHERE platform = ? AND chat_id = ? AND disabled_reason IS NOT NULL',
  );
  const migrate = db.prepare(`UPDATE OR REPLACE digest_schedules SET chat_id = ? WHERE platform = ? AND chat_id = ?`);
  return {
    upsert: (s) => upsert.get(s) as ScheduleRow,
    get: (platform, chatId) => get.get(platform, chatId) as ScheduleRow | undefined,
    remove: (platform, chatId) => remove.run(platform, chatId).changes > 0,
    active: () => active.all() as ScheduleRow[],
    markDate: (id, localDate) => void mark.run(localDate, id),
    disableFor: (platform, chatId, reason) => disable.run(reason, platform, chatId).changes,
    enableFor: (platform, chatId) => enable.run(platform, chatId).changes,
    migrate: (platform, fromChatId, toChatId) => migrate.run(toChatId, platform, fromChatId).changes,
  };
}
