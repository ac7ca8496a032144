import { describe, expect, it } from 'vitest';
import { ThresholdRules, type ThresholdSpec } from '../../src/alerts/threshold-rules.ts';
import type { AlertState } from '../../src/store/index.ts';
import { BACKENDS } from '../support/backends.ts';

const spec = (value: number, direction: 'above' | 'below' = 'above'): ThresholdSpec => ({
  kind: 'threshold',
  metric: 'hashprice',
  direction,
  value,
});
const fresh: AlertState = { armed: null, episode: 0, lastFiredMs: null, memo: null };

describe('ThresholdRules (the engine state in columns)', () => {
  it('gives back each rule as it was stored: unknown/armed/disarmed, episode, never fired or the fire time, a stray memo', async () => {
    const rules = new ThresholdRules();
    const states: AlertState[] = [
      fresh,
      { armed: true, episode: 3, lastFiredMs: 1_743_508_800_123, memo: null },
      { armed: false, episode: 2_000_000_000, lastFiredMs: 0, memo: '{"kept":1}' },
    ];
    states.forEach((state, i) => {
      rules.add(10 + i, spec(40 + i), 60 * i, 'telegram', `u${i}`, state);
    });
    rules.build();
    states.forEach((state, i) => {
      const slot = rules.index.slotOf(10 + i);
      expect(rules.rule(slot)).toEqual({
        id: 10 + i,
        destination: { platform: 'telegram', chatId: `u${i}`, kind: 'user' },
        spec: spec(40 + i),
        cooldownSec: 60 * i,
        state,
      });
    });
  });

  it('shares one destination object per owner and stops only that owner’s rules', async () => {
    const rules = new ThresholdRules();
    rules.add(1, spec(40), 0, 'discord', 'a', fresh);
    rules.add(2, spec(41, 'below'), 0, 'discord', 'a', fresh);
    rules.add(3, spec(42), 0, 'telegram', 'a', fresh);
    expect(rules.rule(rules.index.slotOf(1))!.destination).toBe(rules.rule(rules.index.slotOf(2))!.destination);
    rules.removeOwner({ platform: 'discord', chatId: 'a', kind: 'user' });
    expect([rules.index.slotOf(1), rules.index.slotOf(2)]).toEqual([-1, -1]);
    expect(rules.size).toBe(1);
    expect(rules.rule(rules.index.slotOf(3))!.id).toBe(3);
  });

  it('lists every new rule as unsettled once, then only the ones marked so', async () => {
    const rules = new ThresholdRules();
    for (let id = 1; id <= 5; id++) rules.add(id, spec(40 + id), 0, 'telegram', String(id), fresh);
    rules.remove(2);
    const first = rules.unsettled();
    expect(first.map((slot) => rules.index.idAt(slot))).toEqual([1, 3, 4, 5]);
    for (const slot of first) rules.settle(slot, rules.index.idAt(slot) === 4);
    rules.add(6, spec(46), 0, 'telegram', '6', fresh);
    const slot4 = rules.index.slotOf(4);
    rules.settle(slot4, false);
    rules.settle(slot4, true); // marked twice in a row: still listed once
    expect(
      rules
        .unsettled()
        .map((slot) => rules.index.idAt(slot))
        .sort(),
    ).toEqual([4, 6]);
  });
});

describe.each(BACKENDS)('batched writes of an evaluation pass ($name)', (backend) => {
  it('saveStates upserts every state in one call; enqueueMany adds new keys in order and skips queued ones', async () => {
    const store = await backend.open();
    const userId = await store.users.ensure('telegram', '42', undefined, 0);
    const ids: number[] = [];
    for (const i of [1, 2, 3])
      ids.push(await store.rules.insert({ userId, specJson: JSON.stringify(spec(40 + i)), cooldownSec: 0, createdMs: 0 }, fresh));
    await store.rules.saveStates(
      [
        { ruleId: ids[0]!, state: { armed: true, episode: 0, lastFiredMs: null, memo: null } },
        { ruleId: ids[2]!, state: { armed: false, episode: 7, lastFiredMs: 1_743_508_800_123, memo: 'm' } },
      ],
      5,
    );
    expect((await store.rules.listForUser(userId)).map((r) => r.state)).toEqual([
      { armed: true, episode: 0, lastFiredMs: null, memo: null },
      fresh,
      { armed: false, episode: 7, lastFiredMs: 1_743_508_800_123, memo: 'm' },
    ]);
    const d = { platform: 'telegram' as const, chatId: '42', kind: 'user' as const };
    const reply = (title: string) => ({ title, sections: [], footer: [], tone: 'neutral' as const });
    expect(await store.outbox.enqueueMany([{ idemKey: 'alert:1:1', destination: d, reply: reply('one') }], 5)).toBe(1);
    expect(
      await store.outbox.enqueueMany(
        [
          { idemKey: 'alert:2:1', destination: d, reply: reply('two') },
          { idemKey: 'alert:1:1', destination: d, reply: reply('again') },
          { idemKey: 'alert:3:1', destination: d, reply: reply('three') },
        ],
        6,
      ),
    ).toBe(2);
    const rows = await store.outbox.claim(10, 1, 10, ['telegram']);
    expect(rows.map((r) => [r.idemKey, r.reply.title, r.nextAttemptMs])).toEqual([
      ['alert:1:1', 'one', 5],
      ['alert:2:1', 'two', 6],
      ['alert:3:1', 'three', 6],
    ]);
    expect(rows[0]!.destination).toEqual(d);
    await store.close();
  });
});
