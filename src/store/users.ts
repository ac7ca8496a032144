import type { Database } from 'better-sqlite3';
import type { Sync } from './interim.ts';
import type { UserData } from '../core/services.ts';

interface UserRow {
  id: number;
  platform: string;
  externalId: string;
  name: string | null;
}

/** Everything stored about one person, counted (what /forget shows before and after deleting). */
export interface UserRepo {
  /** The user's row id, creating the row on first contact. */
  ensure(platform: string, externalId: string, name: string | undefined, nowMs: number): Promise<number>;
  find(platform: string, externalId: string): Promise<UserRow | undefined>;
  /** What is stored about this person, without changing anything. */
  dataOf(platform: string, externalId: string): Promise<UserData>;
  /**
   * Deletes everything stored about this person, in one transaction, and says what went. Every
   * per-user table is named here: a new one (settings…) is one more line in `forget` and `dataOf`.
   * Their direct messages are the destination (platform, externalId), as everywhere else.
   */
  forget(platform: string, externalId: string): Promise<UserData>;
}

export function userRepo(db: Database): Sync<UserRepo> {
  const insert = db.prepare(
    `INSERT INTO users (platform, external_id, name, created_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT (platform, external_id) DO UPDATE SET name = COALESCE(excluded.name, users.name)
     RETURNING id`,
  );
  const find = db.prepare('SELECT id, platform, external_id AS externalId, name FROM users WHERE platform = ? AND external_id = ?');
  // Every statement takes @platform and @id (the person's platform id).
  const OWNER = 'SELECT id FROM users WHERE platform = @platform AND external_id = @id';
  const DM = `platform = @platform AND chat_id = @id AND dest_kind = 'user'`;
  const ruleIds = db.prepare(`SELECT id FROM alert_rules WHERE user_id IN (${OWNER}) ORDER BY id`).pluck();
  const count = {
    dmDigests: db.prepare(`SELECT COUNT(*) FROM digest_schedules WHERE platform = @platform AND chat_id = @id AND kind = 'user'`).pluck(),
    queued: db.prepare(`SELECT COUNT(*) FROM outbox WHERE ${DM} AND status IN ('pending', 'sending')`).pluck(),
    delivered: db.prepare(`SELECT COUNT(*) FROM outbox WHERE ${DM} AND status IN ('sent', 'failed')`).pluck(),
    channelDigests: db
      .prepare(`SELECT COUNT(*) FROM digest_schedules WHERE platform = @platform AND created_by = @id AND kind = 'channel'`)
      .pluck(),
    settings: db.prepare(`SELECT COUNT(*) FROM user_settings WHERE user_id IN (${OWNER})`).pluck(),
    account: db.prepare(`SELECT COUNT(*) FROM users WHERE platform = @platform AND external_id = @id`).pluck(),
  };
  const remove = {
    ruleState: db.prepare(`DELETE FROM alert_state WHERE rule_id IN (SELECT id FROM alert_rules WHERE user_id IN (${OWNER}))`),
    rules: db.prepare(`DELETE FROM alert_rules WHERE user_id IN (${OWNER})`),
    dmDigests: db.prepare(`DELETE FROM digest_schedules WHERE platform = @platform AND chat_id = @id AND kind = 'user'`),
    queued: db.prepare(`DELETE FROM outbox WHERE ${DM} AND status IN ('pending', 'sending')`),
    delivered: db.prepare(`DELETE FROM outbox WHERE ${DM}`),
    // The channel keeps its digest (it belongs to the channel's admins); only who set it up is forgotten.
    channelDigests: db.prepare(
      `UPDATE digest_schedules SET created_by = NULL WHERE platform = @platform AND created_by = @id AND kind = 'channel'`,
    ),
    settings: db.prepare(`DELETE FROM user_settings WHERE user_id IN (${OWNER})`),
    // A chat's settings stay with the chat; only which admin last changed them is forgotten.
    chatSettingsBy: db.prepare(`UPDATE chat_settings SET updated_by = NULL WHERE platform = @platform AND updated_by = @id`),
    account: db.prepare(`DELETE FROM users WHERE platform = @platform AND external_id = @id`),
  };
  const dataOf = (platform: string, externalId: string): UserData => {
    const who = { platform, id: externalId };
    const ids = ruleIds.all(who) as number[];
    const n = (s: { get(p: object): unknown }) => s.get(who) as number;
    return {
      rules: ids.length,
      ruleIds: ids,
      dmDigests: n(count.dmDigests),
      queued: n(count.queued),
      delivered: n(count.delivered),
      channelDigests: n(count.channelDigests),
      settings: n(count.settings),
      account: n(count.account),
    };
  };
  const forget = db.transaction((platform: string, externalId: string): UserData => {
    const who = { platform, id: externalId };
    const ids = ruleIds.all(who) as number[];
    remove.ruleState.run(who);
    remove.chatSettingsBy.run(who);
    return {
      rules: remove.rules.run(who).changes,
      ruleIds: ids,
      dmDigests: remove.dmDigests.run(who).changes,
      queued: remove.queued.run(who).changes,
      delivered: remove.delivered.run(who).changes,
      channelDigests: remove.channelDigests.run(who).changes,
      // Before the account: the settings row hangs off it (its cascade would delete it uncounted).
      settings: remove.settings.run(who).changes,
      account: remove.account.run(who).changes,
    };
  });
  return {
    ensure: (platform, externalId, name, nowMs) => (insert.get(platform, externalId, name ?? null, nowMs) as { id: number }).id,
    find: (platform, externalId) => find.get(platform, externalId) as UserRow | undefined,
    dataOf,
    forget: (platform, externalId) => forget(platform, externalId),
  };
}
