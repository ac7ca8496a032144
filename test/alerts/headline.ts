import type { Headline } from '../../src/core/headline.ts';

/** A plausible headline (numbers near early 2025); override what a test is about. */
export function headline(over: Partial<Headline> = {}): Headline {
  return {
    atMs: Date.UTC(2025, 3, 1, 12),
    height: 890_000,
    tipTimeSec: Date.UTC(2025, 3, 1, 11, 55) / 1000,
    hashpriceUsdPerPhDay: 45,
    hashpriceBtcPerPhDay: 0.00054,
    priceUsd: 83_000,
    hashrate7d: 820e18,
    hashrate7dChange7dPercent: 1.5,
    hashrate7dChange30dPercent: 3,
    difficulty: 113.76e12,
    difficultyChangePercent: 2.1,
    lastRetarget: { timeSec: Date.UTC(2025, 2, 24) / 1000, changePercent: 1.43 },
    feeSharePercent: 1.2,
    topPool: { name: 'Foundry USA', sharePercent: 30 },
    pools1w: [
      { name: 'Foundry USA', sharePercent: 30 },
      { name: 'AntPool', sharePercent: 18 },
      { name: 'ViaBTC', sharePercent: 12 },
    ],
    nakamoto: 3,
    ribbons: 'normal',
    hashpriceHistory: [],
    sources: ['mempool.space'],
    stale: false,
    ...over,
  };
}
