/** Bitcoin's security budget: what the network pays miners, in absolute terms and against market cap. */
import { BLOCKS_PER_DAY } from './constants.ts';
import { feeShare } from './hashprice.ts';
import { circulatingSupplyBtc } from './subsidy.ts';

/** Julian year, matching the 30.4375-day month used for mining economics. */
export const DAYS_PER_YEAR = 365.25;

export interface SecurityBudget {
  /** Expected at 144 blocks/day (the target rate), not the blocks actually found. */
  dailyRevenueBtc: number;
  dailyRevenueUsd: number;
  annualRevenueUsd: number;
  marketCapUsd: number;
  /** Annual miner revenue as a percentage of market cap: the yearly "cost" of security. */
  percentOfMarketCapPerYear: number;
  /** Fraction 0..1 of revenue paid by fees. */
  feeShare: number;
}

/** The part of the budget that needs no price: what miners earn a day in BTC, and the fees' share of it. */
export function securityBudgetBtc(i: { subsidyBtc: number; avgFeesBtc: number }): Pick<SecurityBudget, 'dailyRevenueBtc' | 'feeShare'> {
  return { dailyRevenueBtc: BLOCKS_PER_DAY * (i.subsidyBtc + i.avgFeesBtc), feeShare: feeShare(i.subsidyBtc, i.avgFeesBtc) };
}

export function securityBudget(i: { subsidyBtc: number; avgFeesBtc: number; priceUsd: number; height: number }): SecurityBudget {
  const { dailyRevenueBtc } = securityBudgetBtc(i);
  const dailyRevenueUsd = dailyRevenueBtc * i.priceUsd;
  const annualRevenueUsd = dailyRevenueUsd * DAYS_PER_YEAR;
  const marketCapUsd = circulatingSupplyBtc(i.height) * i.priceUsd;
  return {
    dailyRevenueBtc,
    dailyRevenueUsd,
    annualRevenueUsd,
    marketCapUsd,
    percentOfMarketCapPerYear: marketCapUsd > 0 ? (annualRevenueUsd / marketCapUsd) * 100 : 0,
    feeShare: feeShare(i.subsidyBtc, i.avgFeesBtc),
  };
}
