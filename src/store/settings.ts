/** /settings rows: one per user (keyed by the users row) and one per chat (platform + chat id). */
import { sql } from 'kysely';
import { isCurrency } from '../core/format.ts';
import { resolvePrefs, type Settings } from '../core/prefs.ts';
import type { SettingsScope, SettingsStore } from '../core/services.ts';
import { atomically, changed, type Db } from './dialect.ts';
import { userRepo } from './users.ts';

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

const COLUMNS = ['currency', 'zone', 'power_per_kwh', 'power_currency', 'efficiency_j_per_th'] as const;

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

function valuesOf(patch: Settings, nowMs: number) {
  return {
    currency: patch.currency ?? null,
    zone: patch.zone ?? null,
    power_per_kwh: patch.power?.perKwh ?? null,
    power_currency: patch.power?.currency ?? null,
    efficiency_j_per_th: patch.efficiencyJPerTh ?? null,
    updated_ms: nowMs,
  };
}

// COALESCE keeps a stored field the patch does not name (the stored row named by its table:
// PostgreSQL reads a bare column here as ambiguous with `excluded`).
const merge = <T extends 'user_settings' | 'chat_settings'>(table: T) => {
  const keep = (c: (typeof COLUMNS)[number]) => sql<never>`COALESCE(${sql.ref(`excluded.${c}`)}, ${sql.ref(`${table}.${c}`)})`;
  return {
    currency: keep('currency'),
    zone: keep('zone'),
    power_per_kwh: keep('power_per_kwh'),
    power_currency: keep('power_currency'),
    efficiency_j_per_th: keep('efficiency_j_per_th'),
    updated_ms: sql<number>`excluded.updated_ms`,
  };
};

export function settingsRepo(db: Db): SettingsRepo {
  const get = async (q: Db, scope: SettingsScope, platform: string, id: string): Promise<Settings> => {
    const row =
      scope === 'user'
        ? await q
            .selectFrom('user_settings as s')
            .innerJoin('users as u', 'u.id', 's.user_id')
            .select(COLUMNS.map((c) => `s.${c}` as const))
            .where('u.platform', '=', platform)
            .where('u.external_id', '=', id)
            .executeTakeFirst()
        : await q
            .selectFrom('chat_settings')
            .select([...COLUMNS])
            .where('platform', '=', platform)
            .where('chat_id', '=', id)
            .executeTakeFirst();
    return settingsOf(row);
  };

  return {
    get: (scope, platform, id) => get(db, scope, platform, id),
    set: (scope, who, patch, nowMs) =>
      atomically(db, async (tx) => {
        if (scope === 'user') {
          const owner = await userRepo(tx).ensure(who.platform, who.id, who.name, nowMs);
          await tx
            .insertInto('user_settings')
            .values({ user_id: owner, ...valuesOf(patch, nowMs) })
            .onConflict((oc) => oc.column('user_id').doUpdateSet(merge('user_settings')))
            .execute();
        } else {
          await tx
            .insertInto('chat_settings')
            .values({ platform: who.platform, chat_id: who.id, ...valuesOf(patch, nowMs), updated_by: who.by ?? null })
            .onConflict((oc) =>
              oc
                .columns(['platform', 'chat_id'])
                .doUpdateSet({ ...merge('chat_settings'), updated_by: sql<string | null>`excluded.updated_by` }),
            )
            .execute();
        }
        return get(tx, scope, who.platform, who.id);
      }),
    migrateChat: (platform, from, to) =>
      atomically(db, async (tx) => {
        // As schedules.migrate: the moved row replaces an older one at the new id.
        const chat = (id: string) => tx.deleteFrom('chat_settings').where('platform', '=', platform).where('chat_id', '=', id);
        const moving = await tx
          .selectFrom('chat_settings')
          .select('chat_id')
          .where('platform', '=', platform)
          .where('chat_id', '=', from)
          .executeTakeFirst();
        if (!moving) return 0;
        if (from !== to) await chat(to).execute();
        return changed(
          await tx
            .updateTable('chat_settings')
            .set({ chat_id: to })
            .where('platform', '=', platform)
            .where('chat_id', '=', from)
            .executeTakeFirst(),
        );
      }),
    reset: async (scope, platform, id) =>
      changed(
        scope === 'user'
          ? await db
              .deleteFrom('user_settings')
              .where('user_id', 'in', db.selectFrom('users').select('id').where('platform', '=', platform).where('external_id', '=', id))
              .executeTakeFirst()
          : await db.deleteFrom('chat_settings').where('platform', '=', platform).where('chat_id', '=', id).executeTakeFirst(),
      ) > 0,
    prefsFor: async (platform, userId, chatId) =>
      resolvePrefs(
        userId === undefined ? {} : await get(db, 'user', platform, userId),
        chatId === undefined ? {} : await get(db, 'chat', platform, chatId),
      ),
  };
}
