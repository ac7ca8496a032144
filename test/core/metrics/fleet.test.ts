import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASIC_MODELS } from '../../../src/core/metrics/asics.ts';
import { fleetEconomics, fleetRowField, fleetSummary, kwhPrice } from '../../../src/core/metrics/fleet.ts';

const HP = 38.86398720675945;
/**
 * The ASIC table's efficiencies as of this test's hand check, in table order, so the counts below stay
 * hand-checked when the shared table gains or loses a model.
 */
const TABLE = (
  [
    ['s21xphyd', 'Antminer S21 XP Hyd', 12],
    ['s21xp', 'Antminer S21 XP', 13.5],
    ['s21pro', 'Antminer S21 Pro', 15],
    ['s21+', 'Antminer S21+', 16.5],
    ['s21', 'Antminer S21', 17.5],
    ['t21', 'Antminer T21', 19],
    ['s19xp', 'Antminer S19 XP', 21.5],
    ['s19kpro', 'Antminer S19k Pro', 23],
    ['s19jpro', 'Antminer S19j Pro', 29.5],
    ['s19pro', 'Antminer S19 Pro', 29.5],
    ['s19', 'Antminer S19', 34.2],
    ['m60s', 'Whatsminer M60S', 18.4],
    ['m50s', 'Whatsminer M50S', 26],
    ['m30s++', 'Whatsminer M30S++', 31],
    ['a1566', 'Avalon A1566', 18.5],
    ['a1466', 'Avalon A1466', 21.5],
    ['a1366', 'Avalon A1366', 25],
  ] as const
).map(([id, name, efficiencyJPerTh]) => ({ id, name, efficiencyJPerTh, hashrateThs: 100, powerW: efficiencyJPerTh * 100, source: 'test' }));

describe('fleetEconomics', () => {
  it('covers the whole ASIC table by default, most efficient first', () => {
    const f = fleetEconomics({ powerUsdPerKwh: 0.06, hashpriceUsdPerPhDay: HP });
    expect(f.total).toBe(ASIC_MODELS.length);
    expect(f.rows.map((r) => r.efficiencyJPerTh)).toEqual(ASIC_MODELS.map((m) => m.efficiencyJPerTh).sort((a, b) => a - b));
  });

  it('lists every model most efficient first and counts those under water (test world, $0.06/kWh)', () => {
    const f = fleetEconomics({ powerUsdPerKwh: 0.06, hashpriceUsdPerPhDay: HP, models: TABLE });
    expect(f.total).toBe(17);
    const effs = f.rows.map((r) => r.efficiencyJPerTh);
    expect(effs).toEqual([...effs].sort((a, b) => a - b));
    // A machine loses money when E × 24 / 1000 × 0.06 > 0.03886398720675945, i.e. E > 0.038864 / 0.00144 = 26.99 J/TH:
    // S19j Pro 29.5, S19 Pro 29.5, M30S++ 31, S19 34.2 → 4 models; the M50S at 26 J/TH still earns.
    expect(f.rows.filter((r) => r.underWater).map((r) => r.id)).toEqual(['s19jpro', 's19pro', 'm30s++', 's19']);
    expect(f.underWater).toBe(4);
    // Ties keep the table's order: S19 XP before A1466 (both 21.5), S19j Pro before S19 Pro (both 29.5).
    expect(f.rows.map((r) => r.id).slice(8, 10)).toEqual(['s19xp', 'a1466']);
    // Most efficient: S21 XP Hyd, 12 J/TH: breakeven 0.03886398720675945 / (12 × 0.024) = $0.13494/kWh.
    expect(f.best.id).toBe('s21xphyd');
    expect(f.best.economics.breakevenPowerUsdPerKwh).toBeCloseTo(HP / 1000 / 0.288, 12);
    // Its margin: 0.038864 − 12 × 0.024 × 0.06 (= 0.01728) = $0.021584 per TH/s per day.
    expect(f.best.economics.marginPerThDay).toBeCloseTo(HP / 1000 - 0.01728, 12);
    expect(fleetSummary(f)).toBe(
      'At $0.06/kWh, 4 of 17 models lose money; the most efficient (Antminer S21 XP Hyd, 12 J/TH) breaks even up to $0.135/kWh.',
    );
  });

  it('takes an efficiency in place of a model and ranks it among them', () => {
    const f = fleetEconomics({
      powerUsdPerKwh: 0.06,
      hashpriceUsdPerPhDay: HP,
      models: TABLE,
      extra: { name: '27 J/TH', efficiencyJPerTh: 27 },
    });
    expect(f.total).toBe(18);
    // 27 × 0.024 × 0.06 = 0.03888 > 0.038864: just under water, ranked after the M50S (26) and before the S19j Pro (29.5).
    const i = f.rows.findIndex((r) => r.name === '27 J/TH');
    expect(f.rows[i - 1]!.id).toBe('m50s');
    expect(f.rows[i + 1]!.id).toBe('s19jpro');
    expect(f.rows[i]!.underWater).toBe(true);
    expect(f.underWater).toBe(5);
  });

  it('says so when no model loses money', () => {
    const f = fleetEconomics({ powerUsdPerKwh: 0, hashpriceUsdPerPhDay: HP });
    expect(fleetSummary(f)).toMatch(/^At \$0\/kWh, no model loses money;/);
  });

  it('shows each row as one field: margin and power cost per TH/s per day and the breakeven power price, losses marked', () => {
    const f = fleetEconomics({ powerUsdPerKwh: 0.06, hashpriceUsdPerPhDay: HP, models: TABLE });
    // S21 XP Hyd: power 12 × 0.024 × 0.06 = $0.01728 → $0.0173; 0.038864 − 0.01728 = $0.0216; breakeven $0.135 (above).
    expect(fleetRowField(f.rows[0]!)).toEqual({
      label: 'Antminer S21 XP Hyd · 12 J/TH',
      value: '$0.0216/TH/day (power $0.0173) · breaks even ≤ $0.135/kWh',
    });
    // S19j Pro: 0.038864 − 29.5 × 0.024 × 0.06 (= 0.04248) = −$0.0036; breakeven 0.038864 / 0.708 = $0.0549 → $0.055.
    const s19j = f.rows.find((r) => r.id === 's19jpro')!;
    expect(fleetRowField(s19j)).toEqual({
      label: 'Antminer S19j Pro · 29.5 J/TH',
      value: '⚠ −$0.0036/TH/day (power $0.0425) · breaks even ≤ $0.055/kWh',
    });
  });

  it('formats power prices to a tenth of a cent', () => {
    expect(kwhPrice(0.06)).toBe('$0.06/kWh');
    expect(kwhPrice(0.1349444)).toBe('$0.135/kWh');
    expect(kwhPrice(0.045)).toBe('$0.045/kWh');
  });

  it('a more efficient machine never has less margin, and dearer power never fewer models under water (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 1, max: 500, noNaN: true }),
        (p1, p2, hp) => {
          const f = fleetEconomics({ powerUsdPerKwh: p1, hashpriceUsdPerPhDay: hp });
          for (let k = 1; k < f.rows.length; k++)
            expect(f.rows[k - 1]!.economics.marginPerThDay).toBeGreaterThanOrEqual(f.rows[k]!.economics.marginPerThDay);
          const [cheap, dear] = p1 <= p2 ? [p1, p2] : [p2, p1];
          expect(fleetEconomics({ powerUsdPerKwh: dear, hashpriceUsdPerPhDay: hp }).underWater).toBeGreaterThanOrEqual(
            fleetEconomics({ powerUsdPerKwh: cheap, hashpriceUsdPerPhDay: hp }).underWater,
          );
        },
      ),
    );
  });
});
