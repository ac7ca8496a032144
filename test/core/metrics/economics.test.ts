import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DAYS_PER_MONTH, miningEconomics } from '../../../src/core/metrics/index.ts';

describe('miningEconomics', () => {
  it('matches the hand check for an S19j Pro at $0.06/kWh and $38.864/PH/day', () => {
    const e = miningEconomics({ efficiencyJPerTh: 29.5, powerUsdPerKwh: 0.06, hashpriceUsdPerPhDay: 38.864 });
    // Revenue: 38.864 / 1000 = $0.038864 per TH/s per day.
    expect(e.revenuePerThDay).toBeCloseTo(0.038864, 12);
    // Energy: 29.5 W × 24 h = 708 Wh = 0.708 kWh per TH/s per day; × $0.06 = $0.04248.
    expect(e.powerCostPerThDay).toBeCloseTo(0.04248, 12);
    // Margin: 0.038864 − 0.04248 = −0.003616; / 0.038864 = −9.304 %.
    expect(e.marginPerThDay).toBeCloseTo(-0.003616, 12);
    expect(e.marginPercent).toBeCloseTo((-0.003616 / 0.038864) * 100, 9);
    // Breakeven power: 0.038864 / 0.708 = $0.054893/kWh.
    expect(e.breakevenPowerUsdPerKwh).toBeCloseTo(0.05489265536723, 12);
    // Breakeven hashprice: 29.5 × 24 × 0.06 = $42.48/PH/day.
    expect(e.breakevenHashpriceUsdPerPhDay).toBeCloseTo(42.48, 12);
    expect(e.fleet).toBeUndefined();
  });

  it('totals a fleet per day and per 30.4375-day month', () => {
    // 20,000 TH/s of S21 (17.5 J/TH) at $0.045/kWh, hashprice $50/PH/day:
    // revenue 0.05 × 20,000 = $1,000/day; cost 17.5 × 0.024 × 0.045 = 0.0189 × 20,000 = $378/day; margin $622/day.
    const e = miningEconomics({ efficiencyJPerTh: 17.5, powerUsdPerKwh: 0.045, hashpriceUsdPerPhDay: 50, fleetThs: 20_000 });
    expect(DAYS_PER_MONTH).toBe(30.4375);
    expect(e.fleet!.ths).toBe(20_000);
    expect(e.fleet!.dailyRevenue).toBeCloseTo(1000, 9);
    expect(e.fleet!.dailyCost).toBeCloseTo(378, 9);
    expect(e.fleet!.dailyMargin).toBeCloseTo(622, 9);
    // × 30.4375: 30,437.50 revenue, 11,505.375 cost, 18,932.125 margin.
    expect(e.fleet!.monthlyRevenue).toBeCloseTo(30_437.5, 6);
    expect(e.fleet!.monthlyCost).toBeCloseTo(11_505.375, 6);
    expect(e.fleet!.monthlyMargin).toBeCloseTo(18_932.125, 6);
  });

  it('with free power, costs nothing and breaks even at any hashprice', () => {
    const e = miningEconomics({ efficiencyJPerTh: 20, powerUsdPerKwh: 0, hashpriceUsdPerPhDay: 40 });
    expect(e.powerCostPerThDay).toBe(0);
    expect(e.marginPercent).toBe(100);
    expect(e.breakevenHashpriceUsdPerPhDay).toBe(0);
  });

  it('rejects inputs that make no sense, naming them', () => {
    const ok = { efficiencyJPerTh: 20, powerUsdPerKwh: 0.05, hashpriceUsdPerPhDay: 40 };
    expect(() => miningEconomics({ ...ok, efficiencyJPerTh: 0 })).toThrow(/efficiency \(J\/TH\) must be a positive number/);
    expect(() => miningEconomics({ ...ok, powerUsdPerKwh: -0.01 })).toThrow(/power price \(\$\/kWh\) must be zero or more/);
    expect(() => miningEconomics({ ...ok, hashpriceUsdPerPhDay: 0 })).toThrow(/hashprice/);
    expect(() => miningEconomics({ ...ok, fleetThs: 0 })).toThrow(/fleet hashrate/);
    expect(() => miningEconomics({ ...ok, powerUsdPerKwh: Number.NaN })).toThrow(RangeError);
  });

  const inputs = fc.record({
    efficiencyJPerTh: fc.double({ min: 5, max: 150, noNaN: true }),
    powerUsdPerKwh: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
    hashpriceUsdPerPhDay: fc.double({ min: 1, max: 1000, noNaN: true }),
  });

  it('has zero margin at the breakeven power price and at the breakeven hashprice', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const e = miningEconomics(i);
        const atPower = miningEconomics({ ...i, powerUsdPerKwh: e.breakevenPowerUsdPerKwh });
        const atHashprice = miningEconomics({ ...i, hashpriceUsdPerPhDay: e.breakevenHashpriceUsdPerPhDay });
        return (
          Math.abs(atPower.marginPerThDay) <= 1e-12 * e.revenuePerThDay &&
          Math.abs(atHashprice.marginPerThDay) <= 1e-12 * atHashprice.revenuePerThDay
        );
      }),
    );
  });

  it('is profitable exactly when power is cheaper than breakeven', () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const e = miningEconomics(i);
        return e.marginPerThDay > 0 === i.powerUsdPerKwh < e.breakevenPowerUsdPerKwh || Math.abs(e.marginPerThDay) < 1e-15;
      }),
    );
  });
});
