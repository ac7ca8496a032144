import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import {
  AI_LEASE,
  benchmarksFrom,
  DEFAULT_BENCHMARKS,
  DISCLOSED_LEASES,
  leaseUsdPerMwYear,
  REFERENCE_POWER,
} from '../../../src/core/metrics/benchmarks.ts';

describe('benchmarks', () => {
  it('works out each disclosed lease per MW of critical IT load per year', () => {
    const perMw = Object.fromEntries(DISCLOSED_LEASES.map((l) => [l.parties, leaseUsdPerMwYear(l)]));
    // $8.7B / 12 years / 500 MW = $1.45M; $3.0B / 10 / 168 = $1.7857M; $3.7B / 10 / 200 = $1.85M; $7.0B / 15 / 245 = $1.9048M.
    expect(perMw['Core Scientific–CoreWeave']).toBeCloseTo(1_450_000, 6);
    expect(perMw['Cipher Mining–Fluidstack']).toBeCloseTo(1_785_714.2857, 3);
    expect(perMw['TeraWulf–Fluidstack']).toBeCloseTo(1_850_000, 6);
    expect(perMw['Hut 8–Fluidstack']).toBeCloseTo(1_904_761.9048, 3);
  });

  it('defaults the lease rate to their median rounded to $0.1M: (1.7857 + 1.85) / 2 = 1.818 → $1.8M', () => {
    const sorted = DISCLOSED_LEASES.map(leaseUsdPerMwYear).sort((a, b) => a - b);
    const median = (sorted[1]! + sorted[2]!) / 2;
    expect(Math.round(median / 1e5) * 1e5).toBe(AI_LEASE.value);
    expect(AI_LEASE.value).toBe(1_800_000);
    expect(REFERENCE_POWER.value).toBe(0.06);
    for (const b of [AI_LEASE, REFERENCE_POWER]) expect(b.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('takes an operator override per key and keeps the cited default for the rest', () => {
    expect(benchmarksFrom()).toEqual(DEFAULT_BENCHMARKS);
    expect(benchmarksFrom({ AI_LEASE_USD_PER_MW_YEAR: 1_200_000 })).toEqual({
      aiLeaseUsdPerMwYear: 1_200_000,
      referencePowerUsdPerKwh: 0.06,
    });
    expect(benchmarksFrom({ REFERENCE_POWER_USD_PER_KWH: 0.045 })).toEqual({
      aiLeaseUsdPerMwYear: 1_800_000,
      referencePowerUsdPerKwh: 0.045,
    });
  });

  it('reads the overrides from AI_LEASE_USD_PER_MW_YEAR and REFERENCE_POWER_USD_PER_KWH, empty meaning unset', () => {
    expect(benchmarksFrom(loadConfig({ AI_LEASE_USD_PER_MW_YEAR: '', REFERENCE_POWER_USD_PER_KWH: '' }))).toEqual(DEFAULT_BENCHMARKS);
    expect(benchmarksFrom(loadConfig({ AI_LEASE_USD_PER_MW_YEAR: '1500000', REFERENCE_POWER_USD_PER_KWH: '0.045' }))).toEqual({
      aiLeaseUsdPerMwYear: 1_500_000,
      referencePowerUsdPerKwh: 0.045,
    });
    expect(() => loadConfig({ REFERENCE_POWER_USD_PER_KWH: 'cheap' })).toThrow(
      'REFERENCE_POWER_USD_PER_KWH: expected a number from 0 to 2 (USD per kWh, e.g. 0.06)',
    );
    expect(() => loadConfig({ AI_LEASE_USD_PER_MW_YEAR: '-5' })).toThrow(
      /^AI_LEASE_USD_PER_MW_YEAR: expected a number from 0 to 100000000/,
    );
  });
});
