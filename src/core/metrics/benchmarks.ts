/**
 * Defaults that come from the outside world rather than from the chain: what leasing a megawatt to
 * AI / HPC tenants earns, and the power price used when nobody names one. Each carries where it comes
 * from and when it was checked, so a reply can cite it and a reader can check it. Commands take an
 * option to override them per question; operators override them for the whole bot with
 * AI_LEASE_USD_PER_MW_YEAR and REFERENCE_POWER_USD_PER_KWH (see `benchmarksFrom`).
 */

export interface Benchmark {
  value: number;
  unit: string;
  /** One line a reply can show. */
  citation: string;
  /** When the figures behind it were checked (YYYY-MM-DD). */
  checked: string;
}

/** One disclosed miner-to-AI lease: contract value over the initial term for MW of critical IT load. */
export interface DisclosedLease {
  parties: string;
  announced: string;
  contractUsd: number;
  years: number;
  criticalItMw: number;
  source: string;
}

/**
 * Press-release figures ("critical IT load" is the power delivered to the tenant's servers, excluding
 * cooling and other ancillary load). Contract values include annual escalators, so the first year
 * earns a little less than the average, and extension options are not counted. The tenant pays for
 * its power (modified-gross and triple-net leases; the disclosed site NOI margins of 80–90 % would
 * be impossible if the landlord paid for ~1 MW of power), so a lease compares with mining after power.
 */
export const DISCLOSED_LEASES: readonly DisclosedLease[] = Object.freeze([
  // $8.7B / 12 years / ~500 MW = $1.45M per MW per year.
  {
    parties: 'Core Scientific–CoreWeave',
    announced: '2024-10-22',
    contractUsd: 8.7e9,
    years: 12,
    criticalItMw: 500,
    source: 'Core Scientific press release (SEC exhibit), 2024-10-22: ~500 MW critical IT load, ~$8.7B over 12-year terms',
  },
  // $3.0B / 10 years / 168 MW = $1.786M per MW per year.
  {
    parties: 'Cipher Mining–Fluidstack',
    announced: '2025-09-25',
    contractUsd: 3.0e9,
    years: 10,
    criticalItMw: 168,
    source: 'Cipher Mining announcement, 2025-09-25: 168 MW critical IT load, ~$3B over 10 years',
  },
  // $3.7B / 10 years / 200 MW = $1.85M per MW per year ("more than 200 MW", so at most that).
  {
    parties: 'TeraWulf–Fluidstack',
    announced: '2025-08-14',
    contractUsd: 3.7e9,
    years: 10,
    criticalItMw: 200,
    source: 'TeraWulf press release (GlobeNewswire), 2025-08-14: >200 MW critical IT load, ~$3.7B over 10 years',
  },
  // $7.0B / 15 years / 245 MW = $1.905M per MW per year.
  {
    parties: 'Hut 8–Fluidstack',
    announced: '2025-12-17',
    contractUsd: 7.0e9,
    years: 15,
    criticalItMw: 245,
    source: 'Hut 8 announcement, 2025-12-17: 245 MW IT capacity, ~$7B over a 15-year base term',
  },
]);

/** What one disclosed lease pays per MW of critical IT load per year. */
export function leaseUsdPerMwYear(l: DisclosedLease): number {
  return l.contractUsd / l.years / l.criticalItMw;
}

/**
 * Default AI / HPC lease rate: the median of the four disclosed leases ($1.45M, $1.79M, $1.85M,
 * $1.91M → (1.786 + 1.85) / 2 = $1.818M), rounded to $1.8M because the inputs are "approximately"
 * and "more than" figures. $1.8M / 12 = $150,000 per MW per month.
 */
export const AI_LEASE: Benchmark = {
  value: 1_800_000,
  unit: 'USD per MW of critical IT load per year',
  citation:
    'median of four disclosed miner-to-AI leases ($1.45M–$1.91M: Core Scientific with CoreWeave; Cipher, TeraWulf and Hut 8 with Fluidstack; 2024–2025)',
  checked: '2026-12-01',
};

/**
 * Reference power price: $0.06/kWh, the /profit default since the first release. It sits between the
 * ¢4–5/kWh CoinShares used as the miners' market average (mining reports, June and December 2019)
 * and US industrial retail averages of ¢7–9/kWh in most states (EIA Electric Power Monthly, Table
 * 5.6.B, 2024 year to date through July, e.g. Pennsylvania 7.79, Illinois 8.95).
 */
export const REFERENCE_POWER: Benchmark = {
  value: 0.06,
  unit: 'USD per kWh',
  citation: "between miners' typical ¢4–5/kWh (CoinShares) and US industrial averages of ¢7–9/kWh (EIA)",
  checked: '2026-12-01',
};

export interface Benchmarks {
  aiLeaseUsdPerMwYear: number;
  referencePowerUsdPerKwh: number;
}

export const DEFAULT_BENCHMARKS: Benchmarks = Object.freeze({
  aiLeaseUsdPerMwYear: AI_LEASE.value,
  referencePowerUsdPerKwh: REFERENCE_POWER.value,
});

/**
 * The defaults with an operator's overrides (from AI_LEASE_USD_PER_MW_YEAR and
 * REFERENCE_POWER_USD_PER_KWH, already validated by the config); unset keys keep the cited value.
 */
export function benchmarksFrom(overrides: { AI_LEASE_USD_PER_MW_YEAR?: number; REFERENCE_POWER_USD_PER_KWH?: number } = {}): Benchmarks {
  return {
    aiLeaseUsdPerMwYear: overrides.AI_LEASE_USD_PER_MW_YEAR ?? DEFAULT_BENCHMARKS.aiLeaseUsdPerMwYear,
    referencePowerUsdPerKwh: overrides.REFERENCE_POWER_USD_PER_KWH ?? DEFAULT_BENCHMARKS.referencePowerUsdPerKwh,
  };
}
