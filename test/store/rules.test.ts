import { describe, expect, it } from 'vitest';
import type { AlertState, Store } from '../../src/store/index.ts';
import { BACKENDS, type Inspected } from '../support/backends.ts';

const fresh: AlertState = { armed: null, episode: 0, lastFiredMs: null, memo: null };

async function ruleOf(store: Store, owner: number, i = 0): Promise<number> {
  return store.rules.insert({ userId: owner, specJson: `{"n":${i}}`, cooldownSec: 60, createdMs: i }, fresh);
}

/**
 * Many rules in one statement (the SQL reads the same on both engines), spread over the owners in
 * turn: thousands of rules.insert round trips would be most of a test's time.
 */
async function insertRules(rows: Inspected['rows'], count: number, owners: number[]): Promise<void> {
  await rows(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1})
    INSERT INTO alert_rules (user_id, spec, cooldown_sec, created_ms)
    SELECT CASE ${owners.map((o, k) => `WHEN i % ${owners.length} = ${k} THEN ${o}`).join(' ')} END, '{"n":' || i || '}', 0, i FROM n`);
}

describe.each(BACKENDS)('rules on $name', (backend) => {
  it('eachActive visits every active rule once, in id order, across many pages; paused and disabled ones never', async () => {
    const { store, rows, close } = await backend.openInspected();
    const owners = [await store.users.ensure('telegram', '1', undefined, 0), await store.users.ensure('discord', '2', undefined, 0)];
    await insertRules(rows, 12_345, owners);
    const all = await store.rules.listForUser(owners[0]!);
    await store.rules.setPaused(owners[0]!, all[3]!.id, true);
    await store.rules.disableForUser('discord', '2', 'blocked');
    const seen: number[] = [];
    await store.rules.eachActive((r) => seen.push(r.id));
    expect(seen).toEqual(all.filter((_, i) => i !== 3).map((r) => r.id));
    expect(await store.rules.countActive()).toBe(seen.length);
    expect((await store.rules.active()).map((r) => r.id)).toEqual(seen);
    await close();
  });

  it('keeps state per rule; saveStates writes many (the last state of a rule named twice wins)', async () => {
    const store = await backend.open();
    const owner = await store.users.ensure('telegram', '1', 'alice', 0);
    const [a, b] = [await ruleOf(store, owner, 1), await ruleOf(store, owner, 2)];
    await store.rules.saveState(a, { armed: false, episode: 1, lastFiredMs: 10, memo: 'x' }, 20);
    await store.rules.saveStates(
      [
        { ruleId: b, state: { armed: true, episode: 4, lastFiredMs: 1_700_000_000_000, memo: null } },
        { ruleId: a, state: { armed: true, episode: 2, lastFiredMs: 30, memo: 'y' } },
        { ruleId: a, state: { armed: false, episode: 3, lastFiredMs: 40, memo: 'z' } },
      ],
      50,
    );
    const rows = await store.rules.listForUser(owner);
    expect(rows.map((r) => [r.id, r.state])).toEqual([
      [a, { armed: false, episode: 3, lastFiredMs: 40, memo: 'z' }],
      [b, { armed: true, episode: 4, lastFiredMs: 1_700_000_000_000, memo: null }],
    ]);
    expect(rows[0]).toMatchObject({
      userId: owner,
      platform: 'telegram',
      externalId: '1',
      specJson: '{"n":1}',
      cooldownSec: 60,
      paused: false,
    });
    expect(await store.rules.getForUser(owner + 1, a)).toBeUndefined();
    expect((await store.rules.getForUser(owner, a))?.id).toBe(a);
    expect(await store.rules.countForUser(owner)).toBe(2);
    await store.close();
  });

  it("saveStates past one statement's parameter limit writes every state", async () => {
    const { store, rows, close } = await backend.openInspected();
    const owner = await store.users.ensure('telegram', '1', undefined, 0);
    await insertRules(rows, 12_000, [owner]);
    const ids = (await store.rules.listForUser(owner)).map((r) => r.id);
    await store.rules.saveStates(
      ids.map((ruleId, i) => ({ ruleId, state: { armed: true, episode: i, lastFiredMs: null, memo: null } })),
      1,
    );
    const episodes: number[] = [];
    await store.rules.eachActive((r) => episodes.push(r.state.episode));
    expect(episodes).toEqual(ids.map((_, i) => i));
    await close();
  });

  it('changesSince names each rule inserted, deleted, paused, resumed, disabled, enabled or forgotten since the cursor; state writes are no change', async () => {
    const store = await backend.open();
    const alice = await store.users.ensure('telegram', '1', undefined, 0);
    const bob = await store.users.ensure('telegram', '2', undefined, 0);
    const start = await store.rules.changeCursor();
    expect(await store.rules.changesSince(start)).toEqual({ ruleIds: [], cursor: start });
    const [a, b, c] = [await ruleOf(store, alice), await ruleOf(store, alice), await ruleOf(store, bob)];
    let seen = await store.rules.changesSince(start);
    expect(seen.ruleIds).toEqual([a, b, c]);
    expect(seen.cursor).toBe(await store.rules.changeCursor());

    const step = async (change: () => Promise<unknown>) => {
      await change();
      const next = await store.rules.changesSince(seen.cursor);
      seen = next;
      return next.ruleIds;
    };
    expect(await step(() => store.rules.saveState(a, { armed: true, episode: 1, lastFiredMs: 5, memo: null }, 5))).toEqual([]);
    expect(await step(() => store.rules.setPaused(alice, a, true))).toEqual([a]);
    expect(await step(() => store.rules.setPaused(alice, a, true))).toEqual([]); // already paused
    expect(await step(() => store.rules.setPaused(alice, a, false))).toEqual([a]);
    expect(await step(() => store.rules.disableForUser('telegram', '1', 'blocked'))).toEqual([a, b]);
    expect(await step(() => store.rules.enableForUser('telegram', '1'))).toEqual([a, b]);
    expect(await step(() => store.rules.deleteForUser(alice, b))).toEqual([b]);
    expect(await step(() => store.users.forget('telegram', '2'))).toEqual([c]);
    expect(await step(async () => {})).toEqual([]);
    await store.close();
  });
});

describe.each(BACKENDS)('schedules and settings on $name', (backend) => {
  const schedule = (chatId: string, time: string) => ({
    platform: 'telegram',
    chatId,
    kind: 'channel' as const,
    time,
    timezone: 'Europe/Zurich',
    createdBy: '9',
    lastDate: null,
    createdMs: 1_700_000_000_000,
  });

  it('a schedule is upserted per chat, disabled and enabled, and follows a chat that moved (replacing one left at the new id)', async () => {
    const store = await backend.open();
    const first = await store.schedules.upsert(schedule('-1', '07:30'));
    expect(first).toEqual({ ...schedule('-1', '07:30'), id: first.id, disabledReason: null });
    await store.schedules.upsert(schedule('-100', '09:00'));
    expect(await store.schedules.disableFor('telegram', '-1', 'kicked')).toBe(1);
    expect((await store.schedules.active()).map((s) => s.chatId)).toEqual(['-100']);
    expect((await store.schedules.upsert(schedule('-1', '08:00'))).disabledReason).toBeNull(); // re-subscribing enables
    await store.schedules.markDate(first.id, '2025-04-01');
    expect(await store.schedules.migrate('telegram', '-1', '-100')).toBe(1);
    expect(await store.schedules.get('telegram', '-1')).toBeUndefined();
    expect(await store.schedules.get('telegram', '-100')).toMatchObject({ id: first.id, time: '08:00', lastDate: '2025-04-01' });
    expect(await store.schedules.migrate('telegram', '-1', '-200')).toBe(0); // nothing left to move
    expect(await store.schedules.migrate('telegram', '-100', '-100')).toBe(1);
    expect(await store.schedules.active()).toHaveLength(1);
    expect(await store.schedules.remove('telegram', '-100')).toBe(true);
    expect(await store.schedules.remove('telegram', '-100')).toBe(false);
    await store.close();
  });

  it('settings merge field by field, resolve user over chat, move with the chat, and reset', async () => {
    const store = await backend.open();
    const alice = { platform: 'telegram', id: '1', name: 'alice' };
    expect(await store.settings.set('user', alice, { currency: 'EUR' }, 1)).toEqual({ currency: 'EUR' });
    expect(await store.settings.set('user', alice, { power: { perKwh: 0.07, currency: 'CHF' } }, 2)).toEqual({
      currency: 'EUR',
      power: { perKwh: 0.07, currency: 'CHF' },
    });
    await store.settings.set('chat', { platform: 'telegram', id: '-5', by: '1' }, { zone: 'Asia/Tokyo', currency: 'JPY' }, 3);
    await store.settings.set('chat', { platform: 'telegram', id: '-6', by: '1' }, { zone: 'UTC' }, 3);
    const prefs = await store.settings.prefsFor('telegram', '1', '-5');
    expect([prefs.currency, prefs.zone]).toEqual(['EUR', 'Asia/Tokyo']);
    expect(await store.settings.migrateChat('telegram', '-5', '-6')).toBe(1);
    expect(await store.settings.get('chat', 'telegram', '-6')).toEqual({ zone: 'Asia/Tokyo', currency: 'JPY' });
    expect(await store.settings.get('chat', 'telegram', '-5')).toEqual({});
    expect(await store.settings.reset('user', 'telegram', '1')).toBe(true);
    expect(await store.settings.reset('user', 'telegram', '1')).toBe(false);
    expect(await store.users.find('telegram', '1')).toMatchObject({ name: 'alice' });
    await store.close();
  });

  it('settings.set inside a transaction is part of it (rolled back with it), and outside one is atomic on its own', async () => {
    const store = await backend.open();
    await expect(
      store.transaction(async (tx) => {
        await tx.settings.set('user', { platform: 'discord', id: '3' }, { currency: 'USD' }, 1);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await store.users.find('discord', '3')).toBeUndefined();
    await store.close();
  });
});
