import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../../src/core/suggest.ts';

describe('editDistance', () => {
  it.each([
    ['hashprice', 'hashprice', 0],
    ['hashprise', 'hashprice', 1], // one substitution
    ['hashpric', 'hashprice', 1], // one deletion
    ['hashpirce', 'hashprice', 1], // neighbours swapped: one edit, not two
    ['fes', 'fees', 1],
    ['kitten', 'sitting', 3], // the textbook case: k→s, e→i, +g
    ['', 'abc', 3],
  ])('%s → %s = %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  const names = ['hashprice', 'hashrate', 'difficulty', 'price', 'fees', 'pools', 'profit'];
  it('finds a slip of the fingers', () => {
    expect(closest('hashprise', names)).toBe('hashprice');
    expect(closest('hashpric', names)).toBe('hashprice');
    expect(closest('difficulity', names)).toBe('difficulty');
    expect(closest('pools', names)).toBe('pools');
  });
  it('stays quiet when nothing is close, or when there is too little to go on', () => {
    expect(closest('weather', names)).toBeUndefined();
    expect(closest('pr', names)).toBeUndefined();
    expect(closest('x'.repeat(500), names)).toBeUndefined();
  });
});
