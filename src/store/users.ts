import { sql } from 'kysely';
import type { UserData } from '../core/services.ts';
import { atomically, changed, type Db } from './dialect.ts';

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

export function userRepo(db: Db): UserRepo {
  const owner = (q: Db, platform: string, id: string) =>
    q.selectFrom('users').select('id').where('platform', '=', platform).where('external_id', '=', id);
  const count = async (q: Promise<{ n: number | string | bigint } | undefined>) => Number((await q)?.n ?? 0);
  const n = sql<number>`COUNT(*)`.as('n');

  const ruleIds = async (q: Db, platform: string, id: string) =>
    (
      await q
        .selectFrom('alert_rules')
        .select('id')
        .where('user_id', 'in', owner(q, platform, id))
        .orderBy('id')
        .execute()
    ).map((r) => r.id);

  const dataOf = async (q: Db, platform: string, id: string): Promise<UserData> => {
    const ids = await ruleIds(q, platform, id);
    const dm = q.selectFrom('outbox').select(n).where('platform', '=', platform).where('chat_id', '=', id).where('dest_kind', '=', 'user');
    const schedules = q.selectFrom('digest_schedules').select(n).where('platform', '=', platform);
    return {
      rules: ids.length,
      ruleIds: ids,
      dmDigests: await count(schedules.where('chat_id', '=', id).where('kind', '=', 'user').executeTakeFirst()),
      queued: await count(dm.where('status', 'in', ['pending', 'sending']).executeTakeFirst()),
      delivered: await count(dm.where('status', 'in', ['sent', 'failed']).executeTakeFirst()),
      channelDigests: await count(schedules.where('created_by', '=', id).where('kind', '=', 'channel').executeTakeFirst()),
      settings: await count(
        q
          .selectFrom('user_settings')
          .select(n)
          .where('user_id', 'in', owner(q, platform, id))
          .executeTakeFirst(),
      ),
      account: await count(
        q.selectFrom('users').select(n).where('platform', '=', platform).where('external_id', '=', id).executeTakeFirst(),
      ),
    };
  };

  return {
    async ensure(platform, externalId, name, nowMs) {
      const row = await db
        .insertInto('users')
        .values({ platform, external_id: externalId, name: name ?? null, created_ms: nowMs })
        .onConflict((oc) => oc.columns(['platform', 'external_id']).doUpdateSet({ name: sql`COALESCE(excluded.name, users.name)` }))
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    },
    find: (platform, externalId) =>
      db
        .selectFrom('users')
        .select(['id', 'platform', 'external_id as externalId', 'name'])
        .where('platform', '=', platform)
        .where('external_id', '=', externalId)
        .executeTakeFirst(),
    dataOf: (platform, externalId) => dataOf(db, platform, externalId),
    forget: (platform, id) =>
      atomically(db, async (tx) => {
        const ids = await ruleIds(tx, platform, id);
        const rules = tx
          .selectFrom('alert_rules')
          .select('id')
          .where('user_id', 'in', owner(tx, platform, id));
        await tx.deleteFrom('alert_state').where('rule_id', 'in', rules).execute();
        // A chat's settings stay with the chat; only which admin last changed them is forgotten.
        await tx
          .updateTable('chat_settings')
          .set({ updated_by: null })
          .where('platform', '=', platform)
          .where('updated_by', '=', id)
          .execute();
        const dm = () => tx.deleteFrom('outbox').where('platform', '=', platform).where('chat_id', '=', id).where('dest_kind', '=', 'user');
        const removedRules = changed(
          await tx
            .deleteFrom('alert_rules')
            .where('user_id', 'in', owner(tx, platform, id))
            .executeTakeFirst(),
        );
        const dmDigests = changed(
          await tx
            .deleteFrom('digest_schedules')
            .where('platform', '=', platform)
            .where('chat_id', '=', id)
            .where('kind', '=', 'user')
            .executeTakeFirst(),
        );
        const queued = changed(await dm().where('status', 'in', ['pending', 'sending']).executeTakeFirst());
        const delivered = changed(await dm().executeTakeFirst());
        // The channel keeps its digest (it belongs to the channel's admins); only who set it up is forgotten.
        const channelDigests = changed(
          await tx
            .updateTable('digest_schedules')
            .set({ created_by: null })
            .where('platform', '=', platform)
            .where('created_by', '=', id)
            .where('kind', '=', 'channel')
            .executeTakeFirst(),
        );
        // Before the account: the settings row hangs off it (its cascade would delete it uncounted).
        const settings = changed(
          await tx
            .deleteFrom('user_settings')
            .where('user_id', 'in', owner(tx, platform, id))
            .executeTakeFirst(),
        );
        const account = changed(
          await tx.deleteFrom('users').where('platform', '=', platform).where('external_id', '=', id).executeTakeFirst(),
        );
        return { rules: removedRules, ruleIds: ids, dmDigests, queued, delivered, channelDigests, settings, account };
      }),
  };
}
