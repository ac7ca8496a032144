/**
 * Alert rules and their evaluation state. The rule itself is stored as JSON (its shape belongs to
 * src/alerts/); state is what makes alerts fire once per crossing and survive restarts.
 */
import { sql } from 'kysely';
import { atomically, changed, chunks, type Db, type Engine, rowsPerStatement } from './dialect.ts';

export interface AlertState {
  /** null until the rule's first evaluation (it then arms without firing). */
  armed: boolean | null;
  /** Increments on every firing; with the rule id it is the outbox idempotency key. */
  episode: number;
  lastFiredMs: number | null;
  /** Event rules keep small JSON memory here (last retarget seen, pools above the line…). */
  memo: string | null;
}

export interface RuleRow {
  id: number;
  userId: number;
  /** The owner, who is also the destination (alerts go by DM). */
  platform: string;
  externalId: string;
  specJson: string;
  cooldownSec: number;
  paused: boolean;
  disabledReason: string | null;
  createdMs: number;
  state: AlertState;
}

/** Rules changed since a cursor, and the cursor to ask from next time. */
interface RuleChanges {
  ruleIds: number[];
  cursor: number;
}

export interface RuleRepo {
  insert(rule: { userId: number; specJson: string; cooldownSec: number; createdMs: number }, state: AlertState): Promise<number>;
  countForUser(userId: number): Promise<number>;
  listForUser(userId: number): Promise<RuleRow[]>;
  /** A rule only when it belongs to this user: nobody sees or touches another user's rules. */
  getForUser(userId: number, id: number): Promise<RuleRow | undefined>;
  get(id: number): Promise<RuleRow | undefined>;
  deleteForUser(userId: number, id: number): Promise<boolean>;
  setPaused(userId: number, id: number, paused: boolean): Promise<boolean>;
  /** Rules to evaluate: not paused, not disabled. */
  active(): Promise<RuleRow[]>;
  /** The same, one page at a time: loading a million rules never holds them all as rows at once. */
  eachActive(fn: (row: RuleRow) => void): Promise<void>;
  /** How many rules eachActive would visit (to size what a load fills). */
  countActive(): Promise<number>;
  saveState(ruleId: number, state: AlertState, nowMs: number): Promise<void>;
  /** Many rules' states in few statements (an evaluation pass). */
  saveStates(states: readonly { ruleId: number; state: AlertState }[], nowMs: number): Promise<void>;
  /** The owner cannot be reached any more (blocked the bot…): stop evaluating their rules. */
  disableForUser(platform: string, externalId: string, reason: string): Promise<number>;
  /** The owner can be reached again (they wrote to the bot): undoes disableForUser; the ids it re-enabled. */
  enableForUser(platform: string, externalId: string): Promise<number[]>;
  /**
   * Where the change log stands now: take it before loading every rule, then ask changesSince
   * from it, and no change made by any instance in between is missed.
   */
  changeCursor(): Promise<number>;
  /** Rules inserted, deleted, paused, resumed, disabled or enabled since `cursor` (by any instance), once each, ascending. */
  changesSince(cursor: number): Promise<RuleChanges>;
  /**
   * Drops the log up to and including `cursor`, once the leader applied it: every later reader
   * starts from a load, whose cursor is newer. Returns how many entries went.
   */
  pruneChanges(cursor: number): Promise<number>;
}

/** Rows per page of eachActive: a few MB of rows at a time, whatever the table holds. */
const PAGE = 5000;

interface Raw {
  id: number;
  userId: number;
  platform: string;
  externalId: string;
  specJson: string;
  cooldownSec: number;
  paused: number;
  disabledReason: string | null;
  createdMs: number;
  armed: number | null;
  episode: number | null;
  lastFiredMs: number | null;
  memo: string | null;
}

/** Fields named one by one: rest/spread here was a third of loading a million rules. */
function toRow(r: Raw): RuleRow {
  return {
    id: r.id,
    userId: r.userId,
    platform: r.platform,
    externalId: r.externalId,
    specJson: r.specJson,
    cooldownSec: r.cooldownSec,
    paused: r.paused === 1,
    disabledReason: r.disabledReason,
    createdMs: r.createdMs,
    state: { armed: r.armed === null ? null : r.armed === 1, episode: r.episode ?? 0, lastFiredMs: r.lastFiredMs, memo: r.memo },
  };
}

const stateRow = (ruleId: number, s: AlertState, nowMs: number) => ({
  rule_id: ruleId,
  armed: s.armed === null ? null : s.armed ? 1 : 0,
  episode: s.episode,
  last_fired_ms: s.lastFiredMs,
  memo: s.memo,
  updated_ms: nowMs,
});

export function ruleRepo(db: Db, engine: Engine): RuleRepo {
  const select = () =>
    db
      .selectFrom('alert_rules as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .leftJoin('alert_state as s', 's.rule_id', 'r.id')
      .select([
        'r.id',
        'r.user_id as userId',
        'u.platform',
        'u.external_id as externalId',
        'r.spec as specJson',
        'r.cooldown_sec as cooldownSec',
        'r.paused',
        'r.disabled_reason as disabledReason',
        'r.created_ms as createdMs',
        's.armed',
        's.episode',
        's.last_fired_ms as lastFiredMs',
        's.memo',
      ]);
  const active = () => select().where('r.paused', '=', 0).where('r.disabled_reason', 'is', null).orderBy('r.id');
  const owner = (platform: string, externalId: string) =>
    db.selectFrom('users').select('id').where('platform', '=', platform).where('external_id', '=', externalId);
  const upsertStates = (q: Db, rows: ReturnType<typeof stateRow>[]) =>
    q
      .insertInto('alert_state')
      .values(rows)
      .onConflict((oc) =>
        oc.column('rule_id').doUpdateSet((eb) => ({
          armed: eb.ref('excluded.armed'),
          episode: eb.ref('excluded.episode'),
          last_fired_ms: eb.ref('excluded.last_fired_ms'),
          memo: eb.ref('excluded.memo'),
          updated_ms: eb.ref('excluded.updated_ms'),
        })),
      )
      .execute();
  const perStatement = rowsPerStatement(engine, 6);

  return {
    insert: (rule, state) =>
      atomically(db, async (tx) => {
        const { id } = await tx
          .insertInto('alert_rules')
          .values({ user_id: rule.userId, spec: rule.specJson, cooldown_sec: rule.cooldownSec, created_ms: rule.createdMs })
          .returning('id')
          .executeTakeFirstOrThrow();
        await upsertStates(tx, [stateRow(id, state, rule.createdMs)]);
        return id;
      }),
    countForUser: async (userId) =>
      Number(
        (await db.selectFrom('alert_rules').select(sql<number>`COUNT(*)`.as('n')).where('user_id', '=', userId).executeTakeFirst())?.n ?? 0,
      ),
    listForUser: async (userId) => ((await select().where('r.user_id', '=', userId).orderBy('r.id').execute()) as Raw[]).map(toRow),
    getForUser: async (userId, id) => {
      const r = (await select().where('r.user_id', '=', userId).where('r.id', '=', id).executeTakeFirst()) as Raw | undefined;
      return r && toRow(r);
    },
    get: async (id) => {
      const r = (await select().where('r.id', '=', id).executeTakeFirst()) as Raw | undefined;
      return r && toRow(r);
    },
    deleteForUser: async (userId, id) =>
      changed(await db.deleteFrom('alert_rules').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst()) > 0,
    setPaused: async (userId, id, paused) =>
      changed(
        await db
          .updateTable('alert_rules')
          .set({ paused: paused ? 1 : 0 })
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .executeTakeFirst(),
      ) > 0,
    active: async () => ((await active().execute()) as Raw[]).map(toRow),
    async eachActive(fn) {
      // Keyset pages by id: each page is one short query, and a page boundary costs an index seek.
      let after = 0;
      for (;;) {
        const page = (await active().where('r.id', '>', after).limit(PAGE).execute()) as Raw[];
        for (const r of page) fn(toRow(r));
        if (page.length < PAGE) return;
        after = page[page.length - 1]!.id;
      }
    },
    countActive: async () =>
      Number(
        (
          await db
            .selectFrom('alert_rules')
            .select(sql<number>`COUNT(*)`.as('n'))
            .where('paused', '=', 0)
            .where('disabled_reason', 'is', null)
            .executeTakeFirst()
        )?.n ?? 0,
      ),
    saveState: async (ruleId, state, nowMs) => {
      await upsertStates(db, [stateRow(ruleId, state, nowMs)]);
    },
    async saveStates(states, nowMs) {
      if (states.length === 0) return;
      // One row per rule: PostgreSQL refuses an upsert that touches the same row twice; the last state wins.
      const last = new Map<number, AlertState>();
      for (const { ruleId, state } of states) last.set(ruleId, state);
      const rows = [...last].map(([ruleId, s]) => stateRow(ruleId, s, nowMs));
      if (rows.length <= perStatement) return void (await upsertStates(db, rows));
      await atomically(db, async (tx) => {
        for (const part of chunks(rows, perStatement)) await upsertStates(tx, [...part]);
      });
    },
    disableForUser: async (platform, externalId, reason) =>
      changed(
        await db
          .updateTable('alert_rules')
          .set({ disabled_reason: reason })
          .where('disabled_reason', 'is', null)
          .where('user_id', 'in', owner(platform, externalId))
          .executeTakeFirst(),
      ),
    enableForUser: async (platform, externalId) =>
      (
        await db
          .updateTable('alert_rules')
          .set({ disabled_reason: null })
          .where('disabled_reason', 'is not', null)
          .where('user_id', 'in', owner(platform, externalId))
          .returning('id')
          .execute()
      )
        .map((r) => r.id)
        .sort((a, b) => a - b),
    changeCursor: async () =>
      Number((await db.selectFrom('rule_changes').select(sql<number>`MAX(seq)`.as('seq')).executeTakeFirst())?.seq ?? 0),
    async changesSince(cursor) {
      // Each change is logged by a trigger in the changing statement itself (migrations), so no
      // code path can change a rule unlogged. On PostgreSQL the trigger also serialises writers
      // until commit, so sequence numbers become visible in order and a cursor never skips one.
      const rows = await db.selectFrom('rule_changes').select(['seq', 'rule_id']).where('seq', '>', cursor).orderBy('seq').execute();
      const ruleIds = [...new Set(rows.map((r) => r.rule_id))].sort((a, b) => a - b);
      return { ruleIds, cursor: rows.length ? rows[rows.length - 1]!.seq : cursor };
    },
    pruneChanges: async (cursor) =>
      Number((await db.deleteFrom('rule_changes').where('seq', '<=', cursor).executeTakeFirst()).numDeletedRows),
  };
}
