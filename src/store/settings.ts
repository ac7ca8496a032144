/** /settings rows: one per user (keyed by the users row) and one per chat (platform + chat id). */
import type { Database } from 'better-sqlite3';
import type { Sync } from './interim.ts';
import { isCurrency } from '../core/format.ts';
import { resolvePrefs, type Settings } from '../core/prefs.ts';
import type { SettingsScope, SettingsStore, SettingsSubject } from '../core/services.ts';
import type { UserRepo } from './users.ts';

/** The settings port of core/services.ts, plus what only the store's own callers need. */
export interface SettingsRepo extends SettingsStore {
  /** Telegram group became a supergroup: its settings follow it (an older row at the new id gives way). */
  migrateChat(platform: string, fromChatId: string, toChatId: string): Promise<number>;
}

interface Row {
  currency: string | null;
  zone: string | null;
  power_per_kwh: number | null;
  power_currency: string | null;
  efficiency_j_per_th: number | null;
}

const COLUMNS = 'currency, zone, power_per_kwh, power_currency, efficiency_j_per_th';

/** A value written by an older or newer hashwatch that this one does not know is read as unset. */
function settingsOf(row: Row | undefined): Settings {
  if (!row) return {};
  const s: Settings = {};
  if (row.currency && isCurrency(row.currency)) s.currency = row.currency;
  if (row.zone) s.zone = row.zone;
  if (row.power_per_kwh !== null && row.power_currency && isCurrency(row.power_currency))
    s.power = { perKwh: row.power_per_kwh, currency: row.power_currency };
  if (row.efficiency_j_per_th !== null) s.efficiencyJPerTh = row.efficiency_j_per_th;
  return s;
}

function paramsOf(patch: Settings) {
  return {
    currency: patch.currency ?? null,
    zone: patch.zone ?? null,
    powerPerKwh: patch.power?.perKwh ?? null,
    powerCurrency: patch.power?.currency ?? null,
    efficiency: patch.efficiencyJPerTh ?? null,
  };
}

// COALESCE keeps a stored field the patch does not name.
const MERGE = `currency = COALESCE(excluded.currency, currency), zone = COALESCE(excluded.zone, zone),
  power_per_kwh = COALESCE(excluded.power_per_kwh, power_per_kwh), power_currency = COALESCE(excluded.power_currency, power_currency),
  efficiency_j_per_th = COALESCE(excluded.efficiency_j_per_th, efficiency_j_per_th), updated_ms = excluded.updated_ms`;

export function settingsRepo(db: Database, users: Sync<UserRepo>): Sync<SettingsRepo> {
  const getUser = db.prepare(
    `SELECT ${COLUMNS} FROM user_settings s JOIN users u ON u.id = s.user_id WHERE u.platform = ? AND u.external_id = ?`,
  );
  const getChat = db.prepare(`SELECT ${COLUMNS} FROM chat_settings WHERE platform = ? AND chat_id = ?`);
  const upsertUser = db.prepare(
    `INSERT INTO user_settings (user_id, ${COLUMNS}, updated_ms)
     VALUES (@owner, @currency, @zone, @powerPerKwh, @powerCurrency, @efficiency, @nowMs)
     ON CONFLICT (user_id) DO UPDATE SET ${MERGE}`,
  );
  const upsertChat = db.prepare(
    `INSERT INTO chat_settings (platform, chat_id, ${COLUMNS}, updated_by, updated_ms)
     VALUES (@platform, @chatId, @currency, @zone, @powerPerKwh, @powerCurrency, @efficiency, @by, @nowMs)
     ON CONFLICT (platform, chat_id) DO UPDATE SET ${MERGE}, updated_by = excluded.updated_by`,
  );
  const resetUser = db.prepare('DELETE FROM user_settings WHERE user_id = (SELECT id FROM users WHERE platform = ? AND external_id = ?)');
  const resetChat = db.prepare('DELETE FROM chat_settings WHERE platform = ? AND chat_id = ?');
  const migrateChat = db.prepare('UPDATE OR REPLACE chat_settings SET chat_id = ? WHERE platform = ? AND chat_id = ?');

  const get = (scope: SettingsScope, platform: string, id: string): Settings =>
    settingsOf((scope === 'user' ? getUser : getChat).get(platform, id) as Row | undefined);

  return {
    get,
    set: db.transaction((scope: SettingsScope, who: SettingsSubject, patch: Settings, nowMs: number) => {
      if (scope === 'user') {
        const owner = users.ensure(who.platform, who.id, who.name, nowMs);
        upsertUser.run({ owner, ...paramsOf(patch), nowMs });
      } else {
        upsertChat.run({ platform: who.platform, chatId: who.id, ...paramsOf(patch), by: who.by ?? null, nowMs });
      }
      return get(scope, who.platform, who.id);
    }),
    migrateChat: (platform, from, to) => migrateChat.run(to, platform, from).changes,
    reset: (scope, platform, id) => (scope === 'user' ? resetUser : resetChat).run(platform, id).changes > 0,
    prefsFor: (platform, userId, chatId) =>
      resolvePrefs(userId === undefined ? {} : get('user', platform, userId), chatId === undefined ? {} : get('chat', platform, chatId)),
  };
}
