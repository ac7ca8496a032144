/** Counts in words: "1 day", never "1 days". */
import { describe, expect, it } from 'vitest';
import { describeRule } from '../../src/alerts/rules.ts';
import { plural } from '../../src/core/plural.ts';

describe('plural', () => {
  it.each([
    [0, 'day', '0 days'],
    [1, 'day', '1 day'],
    [2, 'day', '2 days'],
    [1024, 'block', '1,024 blocks'],
    [1, 'other', '1 other'],
  ])('%d %s → %s', (n, noun, text) => expect(plural(n, noun)).toBe(text));

  it('is used where a count of one happens: a 1-day change alert', () => {
    // Before: "Price down 5 % or more over 1 days".
    expect(describeRule({ kind: 'change', metric: 'price', direction: 'down', percent: 5, windowDays: 1 })).toMatch(/over 1 day$/);
    expect(describeRule({ kind: 'change', metric: 'price', direction: 'down', percent: 5, windowDays: 7 })).toMatch(/over 7 days$/);
  });
});
