import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ThresholdIndex, type Direction } from '../../src/alerts/threshold-index.ts';

interface Rule {
  key: string;
  direction: Direction;
  v: number;
  m: number;
}

/**
 * The scan the index must agree with: rules whose condition becomes true or that reach their re-arm
 * point between from and to (the only two transitions that can change a rule's state).
 */
function scan(rules: Map<number, Rule>, key: string, from: number, to: number): number[] {
  const holds = (r: Rule, x: number) => (r.direction === 'above' ? x > r.v : x < r.v);
  const rearms = (r: Rule, x: number) => (r.direction === 'above' ? x <= r.v - r.m : x >= r.v + r.m);
  return [...rules]
    .filter(([, r]) => r.key === key && ((!holds(r, from) && holds(r, to)) || (!rearms(r, from) && rearms(r, to))))
    .map(([id]) => id)
    .sort((a, b) => a - b);
}

const rule = fc.record({
  key: fc.constantFrom('a', 'b'),
  direction: fc.constantFrom<Direction>('above', 'below'),
  // Few distinct values, so equal thresholds and points exactly at a move's ends are common.
  v: fc.integer({ min: 0, max: 30 }).map((x) => x / 2),
  m: fc.integer({ min: 0, max: 4 }).map((x) => x / 2),
});

const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), id: fc.integer({ min: 0, max: 25 }), rule }),
  fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 25 }) }),
  fc.record({ kind: fc.constant('build' as const) }),
  fc.record({
    kind: fc.constant('ask' as const),
    key: fc.constantFrom('a', 'b', 'c'),
    from: fc.integer({ min: -4, max: 36 }).map((x) => x / 2),
    to: fc.integer({ min: -4, max: 36 }).map((x) => x / 2),
  }),
);

describe('ThresholdIndex (columnar)', () => {
  it('returns exactly what a scan returns, through any mix of adds, replacements, removals and rebuilds', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const index = new ThresholdIndex();
        const rules = new Map<number, Rule>();
        for (const o of ops) {
          if (o.kind === 'add') {
            index.add(o.id, o.rule.key, o.rule.direction, o.rule.v, o.rule.m);
            rules.set(o.id, o.rule);
          } else if (o.kind === 'remove') {
            index.remove(o.id);
            rules.delete(o.id);
          } else if (o.kind === 'build') {
            index.build();
          } else {
            const got = index.crossed(o.key, o.from, o.to);
            expect(new Set(got).size).toBe(got.length); // each rule once
            expect([...got].sort((a, b) => a - b)).toEqual(scan(rules, o.key, o.from, o.to));
          }
          expect(index.size).toBe(rules.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps answering correctly when the unsorted tail outgrows its limit and the runs are rebuilt on a look-up', () => {
    const index = new ThresholdIndex();
    const rules = new Map<number, Rule>();
    for (let id = 0; id < 10_000; id++) {
      const r: Rule = { key: 'a', direction: id % 2 ? 'above' : 'below', v: (id * 7919) % 1000, m: 5 };
      index.add(id, r.key, r.direction, r.v, r.m);
      rules.set(id, r);
    }
    for (let id = 0; id < 10_000; id += 3) {
      index.remove(id);
      rules.delete(id);
    }
    expect(index.crossed('a', 100, 420).sort((a, b) => a - b)).toEqual(scan(rules, 'a', 100, 420));
    expect(index.crossed('a', 900, 15).sort((a, b) => a - b)).toEqual(scan(rules, 'a', 900, 15));
  });

  it('gives a rule one slot for as long as it lives, and a new one when it is replaced', () => {
    const index = new ThresholdIndex();
    const first = index.add(7, 'a', 'above', 10, 1);
    index.add(8, 'a', 'below', 10, 1);
    index.build();
    expect(index.slotOf(7)).toBe(first);
    expect([index.keyAt(first), index.directionAt(first), index.thresholdAt(first), index.idAt(first)]).toEqual(['a', 'above', 10, 7]);
    const second = index.add(7, 'b', 'below', 3, 1);
    expect(second).not.toBe(first);
    expect(index.isLive(first)).toBe(false);
    expect(index.slotOf(7)).toBe(second);
    index.remove(7);
    expect(index.slotOf(7)).toBe(-1);
    expect(index.size).toBe(1);
  });

  it('refuses ids and thresholds it cannot store, instead of answering wrongly later', () => {
    const index = new ThresholdIndex();
    expect(() => index.add(-1, 'a', 'above', 1, 0)).toThrow(RangeError);
    expect(() => index.add(1.5, 'a', 'above', 1, 0)).toThrow(RangeError);
    expect(() => index.add(1, 'a', 'above', Number.NaN, 0)).toThrow(RangeError);
    expect(index.size).toBe(0);
  });
});
