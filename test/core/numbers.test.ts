/** Numbers as people type them: spaced thousands, units, a currency sign. */
import { describe, expect, it } from 'vitest';
import { parseHumanNumber } from '../../src/core/numbers.ts';

describe('parseHumanNumber with spaces', () => {
  it.each([
    ['60 000', 60_000],
    ['1 000 000', 1_000_000],
    ['60 000.5', 60_000.5],
    ['120 T', 120e12],
    ['$ 60 000', 60_000],
    ['60 000 k', 60e6],
  ])('%j → %d', (raw, value) => expect(parseHumanNumber(raw)).toBeCloseTo(value, 6));

  it.each(['1 2', '0.06 000', '60 00', '12 3456', '60  000', 'T 120'])('rejects %j', (raw) => expect(parseHumanNumber(raw)).toBeNaN());
});
