/**
 * The fleet under water: every ASIC model in the table at one power price, most efficient first, and
 * how many of them cost more in power than they earn.
 */
import { usd } from '../format.ts';
import { ASIC_MODELS, type AsicModel } from './asics.ts';
import { miningEconomics, type MiningEconomics } from './economics.ts';

export interface FleetMachine {
  /** Model id, or undefined for an efficiency the user gave. */
  id?: string;
  name: string;
  efficiencyJPerTh: number;
}

export interface FleetRow extends FleetMachine {
  economics: MiningEconomics;
  /** Power costs more than the machine earns (margin below zero; exactly zero is break-even, not a loss). */
  underWater: boolean;
}

export interface FleetEconomics {
  powerUsdPerKwh: number;
  hashpriceUsdPerPhDay: number;
  /** Most efficient first (lowest J/TH); equal efficiencies keep the table's order. */
  rows: FleetRow[];
  underWater: number;
  total: number;
  /** The most efficient row: the one that breaks even at the highest power price. */
  best: FleetRow;
}

export function fleetEconomics(i: {
  powerUsdPerKwh: number;
  hashpriceUsdPerPhDay: number;
  models?: readonly AsicModel[];
  /** An efficiency given in place of a model, listed among them. */
  extra?: FleetMachine;
}): FleetEconomics {
  const machines: FleetMachine[] = (i.models ?? ASIC_MODELS).map((m) => ({ id: m.id, name: m.name, efficiencyJPerTh: m.efficiencyJPerTh }));
  if (i.extra) machines.push(i.extra);
  if (machines.length === 0) throw new RangeError('no machines to compare');
  const rows = machines
    .map((m) => {
      const economics = miningEconomics({
        efficiencyJPerTh: m.efficiencyJPerTh,
        powerUsdPerKwh: i.powerUsdPerKwh,
        hashpriceUsdPerPhDay: i.hashpriceUsdPerPhDay,
      });
      return { ...m, economics, underWater: economics.marginPerThDay < 0 };
    })
    // Array.prototype.sort is stable, so ties keep the table's order.
    .sort((a, b) => a.efficiencyJPerTh - b.efficiencyJPerTh);
  return {
    powerUsdPerKwh: i.powerUsdPerKwh,
    hashpriceUsdPerPhDay: i.hashpriceUsdPerPhDay,
    rows,
    underWater: rows.filter((r) => r.underWater).length,
    total: rows.length,
    best: rows[0]!,
  };
}

/** Power prices to a tenth of a cent, without trailing zeros: "$0.06/kWh", "$0.135/kWh". */
export const kwhPrice = (usdPerKwh: number) => `$${Number(usdPerKwh.toFixed(3))}/kWh`;

/** How USD amounts and power prices read: USD by default, the asker's currency in /profit (src/market-data/fx.ts). */
export interface MoneyFormat {
  amount(usd: number): string;
  perKwh(usdPerKwh: number): string;
}
const USD_FORMAT: MoneyFormat = { amount: usd, perKwh: kwhPrice };

/** "At $0.06/kWh, 4 of 17 models lose money; the most efficient (Antminer S21 XP Hyd, 12 J/TH) breaks even up to $0.135/kWh." */
export function fleetSummary(f: FleetEconomics, fmt: MoneyFormat = USD_FORMAT): string {
  const kwhPrice = fmt.perKwh;
  const loss = f.underWater === 0 ? 'no model loses money' : `${f.underWater} of ${f.total} models lose money`;
  const b = f.best;
  return `At ${kwhPrice(f.powerUsdPerKwh)}, ${loss}; the most efficient (${b.name}, ${b.efficiencyJPerTh} J/TH) breaks even up to ${kwhPrice(b.economics.breakevenPowerUsdPerKwh)}.`;
}

/**
 * One table row as a label/value pair, for the fleet list in /profit (17 rows fit Discord's 25 fields):
 * "Antminer S19j Pro · 29.5 J/TH" → "⚠ −$0.0036/TH/day (power $0.0425) · breaks even ≤ $0.055/kWh".
 * Revenue per TH/s is the same for every row (the hashprice), so the reply states it once.
 */
export function fleetRowField(r: FleetRow, fmt: MoneyFormat = USD_FORMAT): { label: string; value: string } {
  const { amount: usd, perKwh: kwhPrice } = fmt;
  const margin = usd(r.economics.marginPerThDay);
  return {
    label: `${r.name} · ${r.efficiencyJPerTh} J/TH`,
    value: `${r.underWater ? '⚠ ' : ''}${margin}/TH/day (power ${usd(r.economics.powerCostPerThDay)}) · breaks even ≤ ${kwhPrice(r.economics.breakevenPowerUsdPerKwh)}`,
  };
}
