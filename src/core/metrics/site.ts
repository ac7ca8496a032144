/**
 * A site's megawatts: mine with them, or lease them to AI / HPC tenants? Both per MW per month, at
 * the live hashprice and a lease rate per MW per year. 1 MW of machines at E J/TH is 1e6 / E TH/s.
 */
import { DAYS_PER_MONTH, miningEconomics } from './economics.ts';

const MONTHS_PER_YEAR = 12;

export interface SiteInput {
  mw: number;
  powerUsdPerKwh: number;
  efficiencyJPerTh: number;
  hashpriceUsdPerPhDay: number;
  /** Gross lease income per MW of critical IT load per year. */
  leaseUsdPerMwYear: number;
}

interface PerMwMonth {
  miningRevenue: number;
  powerCost: number;
  /** Mining revenue minus power. */
  miningMargin: number;
  /** Lease income: what the tenant pays; power is the tenant's in these leases, so it compares with the mining margin. */
  lease: number;
  /** Lease income minus the mining margin (positive: leasing earns more). */
  leaseAdvantage: number;
}

export interface SiteEconomics {
  thsPerMw: number;
  perMwMonth: PerMwMonth;
  /** The same for the whole site (× mw). */
  siteMonth: PerMwMonth;
  /** Hashprice at which the mining margin per MW equals the lease income ($/PH/day). */
  hashpriceToMatchLease: number;
}

function requirePositive(name: string, v: number): void {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number, got ${v}`);
}

export function siteEconomics(i: SiteInput): SiteEconomics {
  requirePositive('site size (MW)', i.mw);
  if (!(i.leaseUsdPerMwYear >= 0) || !Number.isFinite(i.leaseUsdPerMwYear))
    throw new RangeError(`lease rate must be zero or more, got ${i.leaseUsdPerMwYear}`);
  const thsPerMw = 1e6 / i.efficiencyJPerTh;
  // The per-TH/s formulas of /profit, summed over a megawatt of machines for a 30.4375-day month.
  const e = miningEconomics({
    efficiencyJPerTh: i.efficiencyJPerTh,
    powerUsdPerKwh: i.powerUsdPerKwh,
    hashpriceUsdPerPhDay: i.hashpriceUsdPerPhDay,
    fleetThs: thsPerMw,
  });
  const lease = i.leaseUsdPerMwYear / MONTHS_PER_YEAR;
  const perMwMonth: PerMwMonth = {
    miningRevenue: e.fleet!.monthlyRevenue,
    powerCost: e.fleet!.monthlyCost,
    miningMargin: e.fleet!.monthlyMargin,
    lease,
    leaseAdvantage: lease - e.fleet!.monthlyMargin,
  };
  const siteMonth = Object.fromEntries(Object.entries(perMwMonth).map(([k, v]) => [k, v * i.mw])) as unknown as PerMwMonth;
  // Revenue per MW per month is thsPerMw / 1000 PH/s × hashprice × days; solve revenue − power = lease.
  const phPerMw = thsPerMw / 1000;
  return {
    thsPerMw,
    perMwMonth,
    siteMonth,
    hashpriceToMatchLease: (lease + perMwMonth.powerCost) / (phPerMw * DAYS_PER_MONTH),
  };
}

/** What the comparison leaves out, in one line for the reply. */
export const SITE_LEAVES_OUT =
  'Left out: converting a mining site for AI costs $8–11M per MW of critical IT load (TeraWulf, Cipher disclosures); leases bind for 10–15 years with uptime obligations, while mining can curtail; lease MW are critical IT load, so a grid MW carries only ~0.7–0.8 MW of it after cooling (PUE); mining hardware, pool fees and staff are not counted.';
