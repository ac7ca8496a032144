import { describe, expect, it } from 'vitest';
import { usd, usdPerKwh } from '../../src/core/format.ts';

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
