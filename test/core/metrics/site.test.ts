import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SITE_LEAVES_OUT, siteEconomics } from '../../../src/core/metrics/site.ts';

const HP = 38.86398720675945;
const S21_SITE = { mw: 50, powerUsdPerKwh: 0.06, efficiencyJPerTh: 17.5, hashpriceUsdPerPhDay: HP, leaseUsdPerMwYear: 1_800_000 };

describe('siteEconomics', () => {
  it('matches the hand check: 50 MW of S21s (17.5 J/TH) at $0.06/kWh against a $1.8M/MW/year lease', () => {
    const s = siteEconomics(S21_SITE);
    // 1 MW / 17.5 J/TH = 1e6 / 17.5 = 57,142.857 TH/s.
    expect(s.thsPerMw).toBeCloseTo(57_142.857142857, 6);
    // Revenue: 57,142.857 TH/s × $0.03886398720675945/TH/day = $2,220.80/day; × 30.4375 days = $67,595.58.
    expect(s.perMwMonth.miningRevenue).toBeCloseTo((1e6 / 17.5) * (HP / 1000) * 30.4375, 6);
    expect(s.perMwMonth.miningRevenue).toBeCloseTo(67_595.5777, 3);
    // Power: 1,000 kW × 24 h × $0.06 = $1,440/day; × 30.4375 = $43,830.
    expect(s.perMwMonth.powerCost).toBeCloseTo(43_830, 6);
    // Margin: 67,595.58 − 43,830 = $23,765.58.
    expect(s.perMwMonth.miningMargin).toBeCloseTo(23_765.5777, 3);
    // Lease: 1,800,000 / 12 = $150,000 per MW per month; it beats mining by 150,000 − 23,765.58 = $126,234.42.
    expect(s.perMwMonth.lease).toBe(150_000);
    expect(s.perMwMonth.leaseAdvantage).toBeCloseTo(126_234.4223, 3);
    // The whole site: × 50 MW.
    expect(s.siteMonth.lease).toBe(7_500_000);
    expect(s.siteMonth.miningMargin).toBeCloseTo(23_765.5777 * 50, 1);
    // Mining matches the lease when 57.142857 PH/s × hp × 30.4375 − 43,830 = 150,000:
    // hp = 193,830 / (57.142857 × 30.4375) = 193,830 × 17.5 / 30,437.5 = $111.44/PH/day.
    expect(s.hashpriceToMatchLease).toBeCloseTo((193_830 * 17.5) / 30_437.5, 9);
    expect(s.hashpriceToMatchLease).toBeCloseTo(111.4423, 4);
  });

  it('at the matching hashprice mining earns exactly the lease', () => {
    const s = siteEconomics(S21_SITE);
    const at = siteEconomics({ ...S21_SITE, hashpriceUsdPerPhDay: s.hashpriceToMatchLease });
    expect(at.perMwMonth.miningMargin).toBeCloseTo(150_000, 6);
    expect(at.perMwMonth.leaseAdvantage).toBeCloseTo(0, 6);
  });

  it('rejects a site of no megawatts and a negative lease', () => {
    expect(() => siteEconomics({ ...S21_SITE, mw: 0 })).toThrow(RangeError);
    expect(() => siteEconomics({ ...S21_SITE, leaseUsdPerMwYear: -1 })).toThrow(RangeError);
  });

  it('says what the comparison leaves out in one line', () => {
    expect(SITE_LEAVES_OUT.split('\n')).toHaveLength(1);
    for (const word of ['costs', 'uptime', 'PUE', '10–15 years']) expect(SITE_LEAVES_OUT).toContain(word);
  });

  it('more efficient machines never earn less per MW, and a lower hashprice never needs less to match (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 5, max: 100, noNaN: true }),
        fc.double({ min: 5, max: 100, noNaN: true }),
        fc.double({ min: 1, max: 500, noNaN: true }),
        (e1, e2, hp) => {
          const [better, worse] = e1 <= e2 ? [e1, e2] : [e2, e1];
          const at = (e: number) => siteEconomics({ ...S21_SITE, efficiencyJPerTh: e, hashpriceUsdPerPhDay: hp });
          expect(at(better).perMwMonth.miningMargin).toBeGreaterThanOrEqual(at(worse).perMwMonth.miningMargin - 1e-6);
          expect(at(better).hashpriceToMatchLease).toBeLessThanOrEqual(at(worse).hashpriceToMatchLease + 1e-9);
        },
      ),
    );
  });
});
