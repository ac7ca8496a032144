/**
 * Hashprice after the next difficulty adjustment, at today's price and fees: what miners will earn
 * per PH/s once the live estimate of the retarget takes effect. An estimate: the change it rests on
 * moves with every block until the retarget.
 */
import { duration, pctChange, usd } from '../format.ts';
import { hashprice, type Hashprice } from './hashprice.ts';

export interface ForwardHashpriceInput {
  difficulty: number;
  /** Subsidy in force after the retarget (BTC). */
  subsidyBtc: number;
  avgFeesBtc: number;
  priceUsd: number;
  /** Live estimate of the next retarget, percent (5.9 = +5.9 %); the protocol bounds it to −75..+300. */
  estimatedChangePercent: number;
}

export interface ForwardHashprice {
  difficultyAfter: number;
  hashprice: Hashprice;
  /** Change of hashprice against today's, percent: 1 / (1 + change) − 1. */
  hashpriceChangePercent: number;
}

export const FORWARD_ASSUMPTIONS =
  "Estimate: today's price and fees, and difficulty × (1 + the live estimated change), which moves with every block until the retarget.";

export function difficultyAfterRetarget(difficulty: number, changePercent: number): number {
  if (!Number.isFinite(changePercent) || changePercent <= -100)
    throw new RangeError(`estimated difficulty change must be above −100 %, got ${changePercent}`);
  return difficulty * (1 + changePercent / 100);
}

export function forwardHashprice(i: ForwardHashpriceInput): ForwardHashprice {
  const difficultyAfter = difficultyAfterRetarget(i.difficulty, i.estimatedChangePercent);
  return {
    difficultyAfter,
    hashprice: hashprice({ difficulty: difficultyAfter, subsidyBtc: i.subsidyBtc, avgFeesBtc: i.avgFeesBtc, priceUsd: i.priceUsd }),
    hashpriceChangePercent: (1 / (1 + i.estimatedChangePercent / 100) - 1) * 100,
  };
}

/** "After the adjustment in ~2.4 days, est. +5.9 %: $36.69/PH/day" (the line /hashprice shows). */
export function forwardHashpriceLine(
  etaInMs: number,
  estimatedChangePercent: number,
  usdPerPhDay: number,
  amount: (usd: number) => string = usd,
): string {
  const when = etaInMs > 0 ? `in ~${duration(etaInMs)}` : 'due now';
  return `After the adjustment ${when}, est. ${pctChange(estimatedChangePercent, 1)}: ${amount(usdPerPhDay)}/PH/day`;
}
