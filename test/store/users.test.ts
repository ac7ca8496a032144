/**
 * store.users.forget: after it, nothing stored can reach the forgotten person (no rule of theirs,
 * no digest by DM, no unsent message to them, and the running engine no longer evaluates their
 * rules), while every other person's rows are exactly as before.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountService } from '../../src/alerts/account.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import type { Destination } from '../../src/core/delivery.ts';
import type { Reply } from '../../src/core/reply.ts';
import { silentLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/index.ts';
import { headline } from '../alerts/headline.ts';
import { BACKENDS, type Inspected } from '../support/backends.ts';

/** The same id on two platforms is two people: forgetting one must not touch the other. */
const PEOPLE = [
  { platform: 'telegram', id: '1001' },
  { platform: 'telegram', id: '1002' },
  { platform: 'discord', id: '1001' },
  { platform: 'discord', id: '200000000000000001' },
] as const;
const CHANNELS = [
  { platform: 'telegram', chatId: '-100555' },
  { platform: 'discord', chatId: '300000000000000001' },
] as const;
const STATUSES = ['pending', 'sending', 'sent', 'failed'] as const;
const reply = (title: string): Reply => ({ title, sections: [], footer: ['test'], tone: 'neutral' });

const world = fc.record({
  rules: fc.array(fc.record({ owner: fc.nat(3), above: fc.integer({ min: 10_000, max: 80_000 }), paused: fc.boolean() }), {
    maxLength: 12,
  }),
  unreachable: fc.array(fc.nat(3), { maxLength: 2 }),
  dmDigests: fc.array(fc.nat(3), { maxLength: 4 }),
  channelDigests: fc.array(fc.record({ channel: fc.nat(1), creator: fc.nat(3) }), { maxLength: 2 }),
  messages: fc.array(fc.record({ to: fc.nat(5), status: fc.constantFrom(...STATUSES) }), { maxLength: 16 }),
  settings: fc.array(fc.nat(3), { maxLength: 4 }),
  chatSettings: fc.array(fc.record({ channel: fc.nat(1), by: fc.nat(3) }), { maxLength: 2 }),
  target: fc.nat(3),
});
type World = typeof world extends fc.Arbitrary<infer W> ? W : never;

function destination(to: number): Destination {
  if (to < PEOPLE.length) return { platform: PEOPLE[to]!.platform as Destination['platform'], chatId: PEOPLE[to]!.id, kind: 'user' };
  const c = CHANNELS[to - PEOPLE.length]!;
  return { platform: c.platform as Destination['platform'], chatId: c.chatId, kind: 'channel' };
}

async function build(store: Store, rows: Inspected['rows'], w: World): Promise<void> {
  const t0 = Date.UTC(2025, 0, 1);
  for (const [i, r] of w.rules.entries()) {
    const who = PEOPLE[r.owner]!;
    const owner = await store.users.ensure(who.platform, who.id, `name ${r.owner}`, t0);
    const spec = { kind: 'threshold', metric: 'price', direction: 'above', value: r.above };
    const id = await store.rules.insert(
      { userId: owner, specJson: JSON.stringify(spec), cooldownSec: 0, createdMs: t0 + i },
      { armed: true, episode: 0, lastFiredMs: null, memo: null },
    );
    if (r.paused) await store.rules.setPaused(owner, id, true);
  }
  for (const u of w.unreachable)
    await store.rules.disableForUser(PEOPLE[u]!.platform, PEOPLE[u]!.id, 'Forbidden: bot was blocked by the user');
  for (const u of new Set(w.dmDigests)) {
    const who = PEOPLE[u]!;
    await store.schedules.upsert({
      platform: who.platform,
      chatId: who.id,
      kind: 'user',
      time: '07:30',
      timezone: 'UTC',
      createdBy: who.id,
      lastDate: null,
      createdMs: t0,
    });
  }
  for (const c of w.channelDigests) {
    const ch = CHANNELS[c.channel]!;
    await store.schedules.upsert({
      platform: ch.platform,
      chatId: ch.chatId,
      kind: 'channel',
      time: '14:00',
      timezone: 'UTC',
      createdBy: PEOPLE[c.creator]!.id,
      lastDate: null,
      createdMs: t0,
    });
  }
  for (const u of w.settings) await store.settings.set('user', PEOPLE[u]!, { currency: 'EUR', zone: 'Europe/Berlin' }, t0);
  for (const c of w.chatSettings) {
    const ch = CHANNELS[c.channel]!;
    await store.settings.set('chat', { platform: ch.platform, id: ch.chatId, by: PEOPLE[c.by]!.id }, { currency: 'CHF' }, t0);
  }
  // Rows to be left 'sending' are the only ones due at t0, so one claim takes exactly those.
  for (const [i, m] of w.messages.entries()) {
    await store.outbox.enqueue(`m:${i}`, destination(m.to), reply(`m${i}`), m.status === 'sending' ? t0 : t0 + 1e9);
  }
  const platforms = ['telegram', 'discord'];
  expect(await store.outbox.claim(t0, 60_000, 1000, platforms)).toHaveLength(w.messages.filter((m) => m.status === 'sending').length);
  const ids = new Map((await rows('SELECT id, idem_key FROM outbox')).map((r) => [r.idem_key, r.id as number]));
  for (const [i, m] of w.messages.entries()) {
    if (m.status === 'sent') await store.outbox.markSent(ids.get(`m:${i}`)!, t0);
    if (m.status === 'failed') await store.outbox.fail(ids.get(`m:${i}`)!, 'test');
  }
}

/** Every row of every per-user table, as stored. */
async function dump(rows: Inspected['rows']) {
  return {
    users: await rows('SELECT * FROM users ORDER BY id'),
    rules: await rows('SELECT r.*, u.platform, u.external_id FROM alert_rules r JOIN users u ON u.id = r.user_id ORDER BY r.id'),
    states: await rows('SELECT * FROM alert_state ORDER BY rule_id'),
    schedules: await rows('SELECT * FROM digest_schedules ORDER BY id'),
    outbox: await rows('SELECT * FROM outbox ORDER BY id'),
    userSettings: await rows(
      'SELECT s.*, u.platform, u.external_id FROM user_settings s JOIN users u ON u.id = s.user_id ORDER BY s.user_id',
    ),
    chatSettings: await rows('SELECT * FROM chat_settings ORDER BY platform, chat_id'),
  };
}

/** Every run starts from an empty database (ids keep counting up, as they would in use). */
async function wipe(rows: Inspected['rows']): Promise<void> {
  for (const table of ['alert_state', 'alert_rules', 'user_settings', 'users', 'digest_schedules', 'outbox', 'chat_settings']) {
    await rows(`DELETE FROM ${table}`);
  }
}

describe.each(BACKENDS)('store.users.forget on $name', (backend) => {
  let inspected: Inspected;
  beforeAll(async () => {
    inspected = await backend.openInspected();
  });
  afterAll(async () => {
    await inspected.close();
  });

  it('leaves nothing that can reach the forgotten person, and every other row as it was', async () => {
    const { store, rows } = inspected;
    await fc.assert(
      fc.asyncProperty(world, async (w) => {
        await wipe(rows);
        await build(store, rows, w);
        const engine = new AlertEngine(store, silentLogger);
        await engine.load();
        const account = accountService({ store, engine, now: () => Date.UTC(2025, 0, 2) });
        const target = PEOPLE[w.target]!;
        const isTarget = (platform: unknown, id: unknown) => platform === target.platform && id === target.id;
        const before = await dump(rows);
        const stored = await account.dataOf(target);

        const removed = await account.forget(target);
        const after = await dump(rows);

        // What it says it removed is what was there (and what /forget's question showed).
        expect(removed).toEqual(stored);
        expect(removed.rules).toBe(before.rules.filter((r) => isTarget(r.platform, r.external_id)).length);
        expect(removed.queued).toBe(
          before.outbox.filter(
            (o) => isTarget(o.platform, o.chat_id) && o.dest_kind === 'user' && (o.status === 'pending' || o.status === 'sending'),
          ).length,
        );
        // Nothing of theirs is left, and nothing addressed to them.
        expect(after.users.filter((u) => isTarget(u.platform, u.external_id))).toEqual([]);
        expect(after.rules.filter((r) => isTarget(r.platform, r.external_id))).toEqual([]);
        expect(after.states.filter((s) => !after.rules.some((r) => r.id === s.rule_id))).toEqual([]);
        expect(after.schedules.filter((s) => isTarget(s.platform, s.chat_id) && s.kind === 'user')).toEqual([]);
        expect(after.schedules.filter((s) => s.platform === target.platform && s.created_by === target.id)).toEqual([]);
        expect(after.outbox.filter((o) => isTarget(o.platform, o.chat_id) && o.dest_kind === 'user')).toEqual([]);
        expect(await account.dataOf(target)).toEqual({
          rules: 0,
          ruleIds: [],
          dmDigests: 0,
          queued: 0,
          delivered: 0,
          channelDigests: 0,
          settings: 0,
          account: 0,
        });
        // Their settings go; a chat's settings stay with the chat, only who last changed them is forgotten.
        expect(removed.settings).toBe(before.userSettings.filter((u) => isTarget(u.platform, u.external_id)).length);
        expect(after.userSettings).toEqual(before.userSettings.filter((u) => !isTarget(u.platform, u.external_id)));
        expect(after.chatSettings).toEqual(
          before.chatSettings.map((c) => (c.platform === target.platform && c.updated_by === target.id ? { ...c, updated_by: null } : c)),
        );
        // Everyone else's rows are untouched; channel digests stay, only the creator's id goes.
        expect(after.users).toEqual(before.users.filter((u) => !isTarget(u.platform, u.external_id)));
        expect(after.rules).toEqual(before.rules.filter((r) => !isTarget(r.platform, r.external_id)));
        expect(after.states).toEqual(before.states.filter((s) => after.rules.some((r) => r.id === s.rule_id)));
        expect(after.outbox).toEqual(before.outbox.filter((o) => !(isTarget(o.platform, o.chat_id) && o.dest_kind === 'user')));
        expect(after.schedules).toEqual(
          before.schedules
            .filter((s) => !(isTarget(s.platform, s.chat_id) && s.kind === 'user'))
            .map((s) =>
              s.kind === 'channel' && s.platform === target.platform && s.created_by === target.id ? { ...s, created_by: null } : s,
            ),
        );

        // The running engine forgot them too: a price above every threshold alerts only the others.
        // The claim comes long after every lease: rows left 'sending' are due again with the pending ones.
        const counts = await store.outbox.counts();
        const unsentBefore = counts.pending + counts.sending;
        await engine.evaluate(headline({ priceUsd: 90_000 }));
        const due = await store.outbox.claim(Date.UTC(2030, 0, 1), 60_000, 10_000, ['telegram', 'discord']);
        expect(due.filter((o) => isTarget(o.destination.platform, o.destination.chatId) && o.destination.kind === 'user')).toEqual([]);
        const activeOthers = after.rules.filter((r) => r.paused === 0 && r.disabled_reason === null).length;
        expect(due.length - unsentBefore).toBe(activeOthers);
      }),
      { numRuns: 60 },
    );
  });

  it('deletes nothing and counts zero for someone never seen', async () => {
    const store = await backend.open();
    const owner = await store.users.ensure('telegram', '1001', 'alice', 0);
    await store.rules.insert(
      { userId: owner, specJson: '{"kind":"retarget"}', cooldownSec: 0, createdMs: 0 },
      { armed: null, episode: 0, lastFiredMs: null, memo: null },
    );
    expect(await store.users.forget('telegram', '9999')).toEqual({
      rules: 0,
      ruleIds: [],
      dmDigests: 0,
      queued: 0,
      delivered: 0,
      channelDigests: 0,
      settings: 0,
      account: 0,
    });
    expect(await store.rules.listForUser(owner)).toHaveLength(1);
    await store.close();
  });
});
