/** What a machine of a given efficiency earns and spends per TH/s per day at a power price. */

/** Average Gregorian month (365.25 / 12 days), so monthly figures do not depend on the calendar. */
export const DAYS_PER_MONTH = 30.4375;

export interface EconomicsInput {
  efficiencyJPerTh: number;
  powerUsdPerKwh: number;
  hashpriceUsdPerPhDay: number;
  /** Optional fleet size in TH/s, for totals. */
  fleetThs?: number;
}

interface Fleet {
  ths: number;
  dailyRevenue: number;
  dailyCost: number;
  dailyMargin: number;
  /** Monthly figures use a 30.4375-day month (DAYS_PER_MONTH). */
  monthlyRevenue: number;
  monthlyCost: number;
  monthlyMargin: number;
}

export interface MiningEconomics {
  revenuePerThDay: number;
  powerCostPerThDay: number;
  marginPerThDay: number;
  /** Margin as a percentage of revenue (negative when power costs more than the machine earns). */
  marginPercent: number;
  /** Power price at which the margin is zero. */
  breakevenPowerUsdPerKwh: number;
  /** Hashprice at which the margin is zero, $/PH/day. */
  breakevenHashpriceUsdPerPhDay: number;
  fleet?: Fleet;
}

function requirePositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a positive number, got ${value}`);
}

export function miningEconomics(i: EconomicsInput): MiningEconomics {
  requirePositive('efficiency (J/TH)', i.efficiencyJPerTh);
  requirePositive('hashprice ($/PH/day)', i.hashpriceUsdPerPhDay);
  if (!(i.powerUsdPerKwh >= 0) || !Number.isFinite(i.powerUsdPerKwh))
    throw new RangeError(`power price ($/kWh) must be zero or more, got ${i.powerUsdPerKwh}`);
  if (i.fleetThs !== undefined) requirePositive('fleet hashrate (TH/s)', i.fleetThs);

  // E J/TH = E W per TH/s; over 24 h that is E × 24 / 1000 kWh per TH/s per day.
  const kwhPerThDay = (i.efficiencyJPerTh * 24) / 1000;
  const revenuePerThDay = i.hashpriceUsdPerPhDay / 1000;
  const powerCostPerThDay = kwhPerThDay * i.powerUsdPerKwh;
  const marginPerThDay = revenuePerThDay - powerCostPerThDay;
  const result: MiningEconomics = {
    revenuePerThDay,
    powerCostPerThDay,
    marginPerThDay,
    marginPercent: (marginPerThDay / revenuePerThDay) * 100,
    breakevenPowerUsdPerKwh: revenuePerThDay / kwhPerThDay,
    breakevenHashpriceUsdPerPhDay: i.efficiencyJPerTh * 24 * i.powerUsdPerKwh,
  };
  if (i.fleetThs !== undefined) {
    const ths = i.fleetThs;
    result.fleet = {
      ths,
      dailyRevenue: revenuePerThDay * ths,
      dailyCost: powerCostPerThDay * ths,
      dailyMargin: marginPerThDay * ths,
      monthlyRevenue: revenuePerThDay * ths * DAYS_PER_MONTH,
      monthlyCost: powerCostPerThDay * ths * DAYS_PER_MONTH,
      monthlyMargin: marginPerThDay * ths * DAYS_PER_MONTH,
    };
  }
  return result;
}

export interface MachineInput {
  hashrateThs: number;
  /** Power at the wall, W. */
  powerW: number;
  powerUsdPerKwh: number;
  hashpriceUsdPerPhDay: number;
}

export interface MachineEconomics {
  revenuePerDay: number;
  powerCostPerDay: number;
  marginPerDay: number;
  /** Over a 30.4375-day month (DAYS_PER_MONTH). */
  marginPerMonth: number;
}

/** One machine's day from its own hashrate and power draw, as its owner pays for it. */
export function machineEconomics(i: MachineInput): MachineEconomics {
  requirePositive('hashrate (TH/s)', i.hashrateThs);
  requirePositive('power (W)', i.powerW);
  requirePositive('hashprice ($/PH/day)', i.hashpriceUsdPerPhDay);
  if (!(i.powerUsdPerKwh >= 0) || !Number.isFinite(i.powerUsdPerKwh))
    throw new RangeError(`power price ($/kWh) must be zero or more, got ${i.powerUsdPerKwh}`);
  const revenuePerDay = (i.hashpriceUsdPerPhDay / 1000) * i.hashrateThs;
  // W × 24 h / 1000 = kWh per day.
  const powerCostPerDay = ((i.powerW * 24) / 1000) * i.powerUsdPerKwh;
  const marginPerDay = revenuePerDay - powerCostPerDay;
  return { revenuePerDay, powerCostPerDay, marginPerDay, marginPerMonth: marginPerDay * DAYS_PER_MONTH };
}
