import { describe, expect, it } from 'vitest';
import { Throttle } from '../../../src/adapters/telegram/throttle.ts';

describe('Throttle', () => {
  it('allows a key once per interval, each key on its own', () => {
    let t = 0;
    const throttle = new Throttle(4_000, () => t);
    expect(throttle.allow('a')).toBe(true); // t = 0
    expect(throttle.allow('b')).toBe(true);
    t = 3_999;
    expect(throttle.allow('a')).toBe(false); // 3,999 ms < 4,000 ms since the last one
    t = 4_000;
    expect(throttle.allow('a')).toBe(true); // a full interval since t = 0
    expect(throttle.allow('a')).toBe(false);
  });
});
