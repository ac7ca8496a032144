/** Daily digest schedules: one per chat (a channel/group, or a user's DM). */
import { atomically, changed, type Db } from './dialect.ts';

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
  /** Telegram group became a supergroup: the schedule follows it (an older one at the new id gives way). */
  migrate(platform: string, fromChatId: string, toChatId: string): Promise<number>;
}

const COLUMNS = [
  'id',
  'platform',
  'chat_id as chatId',
  'kind',
  'time',
  'timezone',
  'created_by as createdBy',
  'last_date as lastDate',
  'disabled_reason as disabledReason',
  'created_ms as createdMs',
] as const;

export function scheduleRepo(db: Db): ScheduleRepo {
  const chat = (platform: string, chatId: string) =>
    db.selectFrom('digest_schedules').where('platform', '=', platform).where('chat_id', '=', chatId);
  return {
    upsert: (s) =>
      db
        .insertInto('digest_schedules')
        .values({
          platform: s.platform,
          chat_id: s.chatId,
          kind: s.kind,
          time: s.time,
          timezone: s.timezone,
          created_by: s.createdBy,
          last_date: s.lastDate,
          created_ms: s.createdMs,
        })
        .onConflict((oc) =>
          oc.columns(['platform', 'chat_id']).doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            time: eb.ref('excluded.time'),
            timezone: eb.ref('excluded.timezone'),
            created_by: eb.ref('excluded.created_by'),
            last_date: eb.ref('excluded.last_date'),
            disabled_reason: null,
          })),
        )
        .returning([...COLUMNS])
        .executeTakeFirstOrThrow(),
    get: (platform, chatId) =>
      chat(platform, chatId)
        .select([...COLUMNS])
        .executeTakeFirst(),
    remove: async (platform, chatId) =>
      changed(await db.deleteFrom('digest_schedules').where('platform', '=', platform).where('chat_id', '=', chatId).executeTakeFirst()) >
      0,
    active: () =>
      db
        .selectFrom('digest_schedules')
        .select([...COLUMNS])
        .where('disabled_reason', 'is', null)
        .orderBy('id')
        .execute(),
    markDate: async (id, localDate) => {
      await db.updateTable('digest_schedules').set({ last_date: localDate }).where('id', '=', id).execute();
    },
    disableFor: async (platform, chatId, reason) =>
      changed(
        await db
          .updateTable('digest_schedules')
          .set({ disabled_reason: reason })
          .where('platform', '=', platform)
          .where('chat_id', '=', chatId)
          .where('disabled_reason', 'is', null)
          .executeTakeFirst(),
      ),
    enableFor: async (platform, chatId) =>
      changed(
        await db
          .updateTable('digest_schedules')
          .set({ disabled_reason: null })
          .where('platform', '=', platform)
          .where('chat_id', '=', chatId)
          .where('disabled_reason', 'is not', null)
          .executeTakeFirst(),
      ),
    migrate: (platform, from, to) =>
      atomically(db, async (tx) => {
        // What SQLite's UPDATE OR REPLACE did, said so both engines understand: the moved schedule
        // replaces one already at the new id (left over from before the move), if it exists to move.
        const moving = await tx
          .selectFrom('digest_schedules')
          .select('id')
          .where('platform', '=', platform)
          .where('chat_id', '=', from)
          .executeTakeFirst();
        if (!moving) return 0;
        if (from !== to) await tx.deleteFrom('digest_schedules').where('platform', '=', platform).where('chat_id', '=', to).execute();
        return changed(await tx.updateTable('digest_schedules').set({ chat_id: to }).where('id', '=', moving.id).executeTakeFirst());
      }),
  };
}
