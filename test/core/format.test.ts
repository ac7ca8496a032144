import { describe, expect, it } from 'vitest';
import { date, dateTime, difficulty, money, moneyPerKwh, usd, usdPerKwh } from '../../src/core/format.ts';

/** Issue 10 #10: "$5e-324/kWh" and a threshold of 0.0000001 shown as "$0.0000". */
describe('money never prints exponent notation or a false zero', () => {
  it('usd: a tiny amount reads "< $0.0001"; the usual ranges are unchanged', () => {
    expect(usd(5e-324)).toBe('< $0.0001');
    expect(usd(0.0000001)).toBe('< $0.0001');
    expect(usd(-0.00000001)).toBe('> −$0.0001');
    expect(usd(0)).toBe('$0.0000');
    expect(usd(0.0001)).toBe('$0.0001');
    expect(usd(0.0389)).toBe('$0.0389');
    expect(usd(38.86398720675945)).toBe('$38.86');
    expect(usd(1398)).toBe('$1,398');
    expect(usd(1.2e21)).toBe('$1,200,000,000.00T');
    expect(usd(Number.NaN)).toBe('n/a');
  });

  it('usdPerKwh: as typed up to 4 decimals, fixed 4 where asked, never an exponent', () => {
    expect(usdPerKwh(5e-324)).toBe('< $0.0001/kWh');
    expect(usdPerKwh(0.06)).toBe('$0.06/kWh');
    expect(usdPerKwh(0.045)).toBe('$0.045/kWh');
    expect(usdPerKwh(0.123456)).toBe('$0.1235/kWh');
    expect(usdPerKwh(0)).toBe('$0.00/kWh');
    // Breakeven of an S19j Pro at $38.86/PH/day: 0.03886 $/TH/day ÷ (29.5 × 24 / 1000 kWh) = 0.054886… $/kWh.
    expect(usdPerKwh(0.03886 / ((29.5 * 24) / 1000), 4)).toBe('$0.0549/kWh');
    expect(usdPerKwh(1e21, 4)).not.toMatch(/e\+?\d/);
  });
});

/** Issue 15 #1: amounts in the asker's currency, times in their zone. */
describe('money in any quoted currency, times in any zone', () => {
  it('money: the usd() tiers with Intl symbols; JPY whole yen; USD exactly usd()', () => {
    expect(money(36.0515, 'EUR')).toBe('€36.05');
    expect(money(0.0360515, 'EUR')).toBe('€0.0361');
    expect(money(-0.0064, 'EUR')).toBe('−€0.0064');
    expect(money(64823, 'EUR')).toBe('€64,823');
    expect(money(1.29e12, 'EUR')).toBe('€1.29T');
    expect(money(35.06, 'CHF')).toBe('CHF 35.06');
    expect(money(59.72, 'AUD')).toBe('A$59.72');
    expect(money(12.5, 'CAD')).toBe('CA$12.50');
    expect(money(30.7, 'GBP')).toBe('£30.70');
    expect(money(5895.8, 'JPY')).toBe('¥5,896');
    expect(money(5.9, 'JPY')).toBe('¥6');
    expect(money(0.4, 'JPY')).toBe('< ¥1');
    expect(money(-0.4, 'JPY')).toBe('> −¥1');
    expect(money(5e-324, 'EUR')).toBe('< €0.0001');
    expect(money(Number.NaN, 'EUR')).toBe('n/a');
    for (const n of [0, 5e-324, 0.0389, 38.86, 1398, 31.65e6, 1.39e12, -7.23]) expect(money(n, 'USD')).toBe(usd(n));
  });

  it('moneyPerKwh: as given up to 4 decimals, yen up to 2', () => {
    expect(moneyPerKwh(0.05, 'EUR')).toBe('€0.05/kWh');
    expect(moneyPerKwh(0.0509123, 'EUR', 4)).toBe('€0.0509/kWh');
    expect(moneyPerKwh(25, 'JPY')).toBe('¥25/kWh');
    expect(moneyPerKwh(14.0376, 'JPY', 4)).toBe('¥14.04/kWh');
    expect(moneyPerKwh(0.06, 'USD')).toBe(usdPerKwh(0.06));
  });

  it('dateTime and date: UTC unchanged; another zone by name, with its summer time', () => {
    const eta = Date.UTC(2025, 3, 6, 0, 47);
    expect(dateTime(eta)).toBe('2025-04-06 00:47 UTC');
    expect(dateTime(eta, 'Europe/Berlin')).toBe('2025-04-06 02:47 Europe/Berlin');
    expect(dateTime(eta, 'America/New_York')).toBe('2025-04-05 20:47 America/New_York');
    expect(date(eta, 'America/New_York')).toBe('2025-04-05');
    expect(date(eta)).toBe('2025-04-06');
  });
});

describe('difficulty', () => {
  it('is quoted in T, and a typed what-if too small for T in plain digits instead of "0.00 T"', () => {
    expect(difficulty(113_757_508_810_854)).toBe('113.76 T');
    expect(difficulty(139_698_387)).toBe('139,698,387');
  });
});
