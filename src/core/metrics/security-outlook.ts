/**
 * The security budget at the coming halvings, at today's price and fees: how much smaller the miners'
 * pay gets as the subsidy halves, and what share fees would need to keep it where it is.
 */
import { int, pct } from '../format.ts';
import { HALVING_INTERVAL } from './constants.ts';
import { securityBudget, type SecurityBudget } from './security.ts';
import { nextHalving, subsidyBtc } from './subsidy.ts';

export interface HalvingBudget extends SecurityBudget {
  halvingHeight: number;
  subsidyBtc: number;
  /** Fees per block (BTC) that would keep today's revenue per block: today's subsidy + fees − that subsidy. */
  feesToKeepBudgetBtc: number;
  /** The fee share of revenue that would take, 0..1. */
  feeShareToKeepBudget: number;
}

/**
 * The budget right after each of the next `count` halvings with today's fees per block and price;
 * market cap from the supply at that height, computed exactly from the subsidy schedule.
 */
export function budgetAtHalvings(i: { height: number; avgFeesBtc: number; priceUsd: number }, count = 2): HalvingBudget[] {
  const first = nextHalving(i.height).height;
  const revenueNowBtc = subsidyBtc(i.height) + i.avgFeesBtc;
  return Array.from({ length: count }, (_, k) => {
    const halvingHeight = first + k * HALVING_INTERVAL;
    const subsidy = subsidyBtc(halvingHeight);
    const feesToKeepBudgetBtc = Math.max(0, revenueNowBtc - subsidy);
    return {
      ...securityBudget({ subsidyBtc: subsidy, avgFeesBtc: i.avgFeesBtc, priceUsd: i.priceUsd, height: halvingHeight }),
      halvingHeight,
      subsidyBtc: subsidy,
      feesToKeepBudgetBtc,
      feeShareToKeepBudget: revenueNowBtc > 0 ? feesToKeepBudgetBtc / revenueNowBtc : 0,
    };
  });
}

export const HALVING_BUDGET_ASSUMPTIONS =
  "Assumes today's price and fees per block, 144 blocks a day, and the supply at each halving block.";

/** "After the halving at block 1,050,000 (1.5625 BTC): 0.41 % of the market cap a year; keeping today's budget takes fees of 50.3 % of revenue." */
export function halvingBudgetLine(h: HalvingBudget): string {
  return `After the halving at block ${int(h.halvingHeight)} (${h.subsidyBtc} BTC): ${pct(h.percentOfMarketCapPerYear, 2)} of the market cap a year; keeping today's budget takes fees of ${pct(h.feeShareToKeepBudget * 100, 1)} of revenue.`;
}
