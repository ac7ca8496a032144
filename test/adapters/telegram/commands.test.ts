/** Recognising commands in Telegram text, including group addressing. */
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/adapters/telegram/commands.ts';

describe('parseCommand', () => {
  it('reads the name and the rest', () => {
    expect(parseCommand('/hashprice price=60000', 'HashBot')).toEqual({ name: 'hashprice', rest: 'price=60000', addressed: false });
    expect(parseCommand('/Profit   s19jpro 0.06 ', 'HashBot')).toEqual({ name: 'profit', rest: 's19jpro 0.06', addressed: false });
    expect(parseCommand('/alert add hashprice below 40', 'HashBot')?.rest).toBe('add hashprice below 40');
  });

  it('accepts /cmd@ThisBot in any case and ignores /cmd@OtherBot', () => {
    expect(parseCommand('/hashprice@hashbot', 'HashBot')).toEqual({ name: 'hashprice', rest: '', addressed: true });
    expect(parseCommand('/hashprice@OtherBot price=1', 'HashBot')).toBeUndefined();
  });

  it('ignores text that is not a command', () => {
    for (const text of ['hashprice', ' /hashprice', '/hashprice-now', '/', 'hello /hashprice', '/hash/price']) {
      expect(parseCommand(text, 'HashBot')).toBeUndefined();
    }
  });
});
