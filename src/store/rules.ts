/**
 * Alert rules and their evaluation state. The rule itself is stored as JSON (its shape belongs to
 * src/alerts/); state is what makes alerts fire once per crossing and survive restarts.
 */
import type { Database } from 'better-sqlite3';
import type { Sync } from './interim.ts';

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
  /** The same, one row at a time: loading a million rules never holds them all as rows at once. */
  eachActive(fn: (row: RuleRow) => void): Promise<void>;
  /** How many rules eachActive would visit (to size what a load fills). */
  countActive(): Promise<number>;
  saveState(ruleId: number, state: AlertState, nowMs: number): Promise<void>;
  /** Many rules' states in one statement (an evaluation pass). */
  saveStates(states: readonly { ruleId: number; state: AlertState }[], nowMs: number): Promise<void>;
  /** The owner cannot be reached any more (blocked the bot…): stop evaluating their rules. */
  disableForUser(platform: string, externalId: string, reason: string): Promise<number>;
  /** The owner can be reached again (they wrote to the bot): undoes disableForUser; the ids it re-enabled. */
  enableForUser(platform: string, externalId: string): Promise<number[]>;
}

const SELECT = `
  SELECT r.id, r.user_id AS userId, u.platform, u.external_id AS externalId, r.spec AS specJson,
         r.cooldown_sec AS cooldownSec, r.paused, r.disabled_reason AS disabledReason, r.created_ms AS createdMs,
         s.armed, s.episode, s.last_fired_ms AS lastFiredMs, s.memo
  FROM alert_rules r JOIN users u ON u.id = r.user_id LEFT JOIN alert_state s ON s.rule_id = r.id`;

interface Raw extends Omit<RuleRow, 'paused' | 'state'> {
  paused: number;
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

export function ruleRepo(db: Database): Sync<RuleRepo> {
  const insertRule = db.prepare('INSERT INTO alert_rules (user_id, spec, cooldown_sec, created_ms) VALUES (?, ?, ?, ?) RETURNING id');
  const upsertState = db.prepare(
    `INSERT INTO alert_state (rule_id, armed, episode, last_fired_ms, memo, updated_ms) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (rule_id) DO UPDATE SET armed = excluded.armed, episode = excluded.episode,
       last_fired_ms = excluded.last_fired_ms, memo = excluded.memo, updated_ms = excluded.updated_ms`,
  );
  const count = db.prepare('SELECT COUNT(*) AS n FROM alert_rules WHERE user_id = ?');
  const list = db.prepare(`${SELECT} WHERE r.user_id = ? ORDER BY r.id`);
  const getForUser = db.prepare(`${SELECT} WHERE r.user_id = ? AND r.id = ?`);
  const get = db.prepare(`${SELECT} WHERE r.id = ?`);
  const del = db.prepare('DELETE FROM alert_rules WHERE user_id = ? AND id = ?');
  const pause = db.prepare('UPDATE alert_rules SET paused = ? WHERE user_id = ? AND id = ?');
  const active = db.prepare(`${SELECT} WHERE r.paused = 0 AND r.disabled_reason IS NULL ORDER BY r.id`);
  const countActive = db.prepare('SELECT COUNT(*) FROM alert_rules WHERE paused = 0 AND disabled_reason IS NULL').pluck();
  const disable = db.prepare(
    `UPDATE alert_rules SET disabled_reason = ?
     WHERE disabled_reason IS NULL AND user_id IN (SELECT id FROM users WHERE platform = ? AND external_id = ?)`,
  );
  const enable = db
    .prepare(
      `UPDATE alert_rules SET disabled_reason = NULL
     WHERE disabled_reason IS NOT NULL AND user_id IN (SELECT id FROM users WHERE platform = ? AND external_id = ?)
     RETURNING id`,
    )
    .pluck();
  // One statement for a whole evaluation pass: the rows travel as one JSON array, so the cost per
  // changed rule is SQLite's, not a round trip through the driver each.
  const upsertStates = db.prepare(
    `INSERT INTO alert_state (rule_id, armed, episode, last_fired_ms, memo, updated_ms)
     SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, @now FROM json_each(@rows) WHERE true
     ON CONFLICT (rule_id) DO UPDATE SET armed = excluded.armed, episode = excluded.episode,
       last_fired_ms = excluded.last_fired_ms, memo = excluded.memo, updated_ms = excluded.updated_ms`,
  );
  const saveState = (ruleId: number, s: AlertState, nowMs: number) => {
    upsertState.run(ruleId, s.armed === null ? null : s.armed ? 1 : 0, s.episode, s.lastFiredMs, s.memo, nowMs);
  };
  return {
    insert: (rule, state) =>
      db.transaction(() => {
        const { id } = insertRule.get(rule.userId, rule.specJson, rule.cooldownSec, rule.createdMs) as { id: number };
        saveState(id, state, rule.createdMs);
        return id;
      })(),
    countForUser: (userId) => (count.get(userId) as { n: number }).n,
    listForUser: (userId) => (list.all(userId) as Raw[]).map(toRow),
    getForUser: (userId, id) => {
      const r = getForUser.get(userId, id) as Raw | undefined;
      return r && toRow(r);
    },
    get: (id) => {
      const r = get.get(id) as Raw | undefined;
      return r && toRow(r);
    },
    deleteForUser: (userId, id) => del.run(userId, id).changes > 0,
    setPaused: (userId, id, paused) => pause.run(paused ? 1 : 0, userId, id).changes > 0,
    active: () => (active.all() as Raw[]).map(toRow),
    eachActive: (fn) => {
      for (const r of active.iterate() as IterableIterator<Raw>) fn(toRow(r));
    },
    countActive: () => countActive.get() as number,
    saveState,
    saveStates: (states, nowMs) => {
      if (states.length === 0) return;
      const rows = states.map(({ ruleId, state: s }) => [
        ruleId,
        s.armed === null ? null : s.armed ? 1 : 0,
        s.episode,
        s.lastFiredMs,
        s.memo,
      ]);
      upsertStates.run({ rows: JSON.stringify(rows), now: nowMs });
    },
    disableForUser: (platform, externalId, reason) => disable.run(reason, platform, externalId).changes,
    enableForUser: (platform, externalId) => (enable.all(platform, externalId) as number[]).sort((a, b) => a - b),
  };
}
