import { describe, expect, it } from 'vitest';
import { findAsic, machineEconomics } from '../../../src/core/metrics/index.ts';

describe('machineEconomics', () => {
  it('matches the hand check for one S21 (200 TH/s, 3,500 W) at $0.05/kWh and $50/PH/day', () => {
    const s21 = findAsic('s21')!;
    const e = machineEconomics({ hashrateThs: s21.hashrateThs, powerW: s21.powerW, powerUsdPerKwh: 0.05, hashpriceUsdPerPhDay: 50 });
    // Revenue: $50/PH/day = $0.05/TH/day × 200 TH/s = $10.00/day.
    expect(e.revenuePerDay).toBeCloseTo(10, 12);
    // Power: 3,500 W × 24 h = 84 kWh × $0.05 = $4.20/day.
    expect(e.powerCostPerDay).toBeCloseTo(4.2, 12);
    // Margin: 10 − 4.2 = $5.80/day; × 30.4375 = $176.5375/month.
    expect(e.marginPerDay).toBeCloseTo(5.8, 12);
    expect(e.marginPerMonth).toBeCloseTo(176.5375, 9);
  });

  it('costs nothing with free power, and refuses impossible machines', () => {
    expect(machineEconomics({ hashrateThs: 100, powerW: 3000, powerUsdPerKwh: 0, hashpriceUsdPerPhDay: 40 }).powerCostPerDay).toBe(0);
    expect(() => machineEconomics({ hashrateThs: 0, powerW: 3000, powerUsdPerKwh: 0.05, hashpriceUsdPerPhDay: 40 })).toThrow(RangeError);
    expect(() => machineEconomics({ hashrateThs: 100, powerW: Number.NaN, powerUsdPerKwh: 0.05, hashpriceUsdPerPhDay: 40 })).toThrow(
      RangeError,
    );
    expect(() => machineEconomics({ hashrateThs: 100, powerW: 3000, powerUsdPerKwh: -1, hashpriceUsdPerPhDay: 40 })).toThrow(RangeError);
  });
});
