import type { Headline } from '../src/core/headline.ts';

/** A full headline at one moment with the given hashprice: what a poll hands the alert engine. */
export function headlineAt(atMs: number, hashprice: number): Headline {
  return {
    atMs,
    height: 890_000,
    tipTimeSec: Math.floor(atMs / 1000) - 300,
    hashpriceUsdPerPhDay: hashprice,
    hashpriceBtcPerPhDay: 0.0005,
    priceUsd: 83_000,
    hashrate7d: 8e20,
    difficulty: 1.1376e14,
    difficultyChangePercent: 1,
    lastRetarget: { timeSec: 1_743_000_000, changePercent: 1 },
    feeSharePercent: 1,
    topPool: { name: 'Foundry USA', sharePercent: 30 },
    pools1w: [{ name: 'Foundry USA', sharePercent: 30 }],
    nakamoto: 3,
    ribbons: 'normal',
    hashpriceHistory: [],
    sources: ['bench'],
    stale: false,
  };
}
