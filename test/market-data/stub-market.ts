/**
 * A hand-made Market with a deterministic, realistic-looking three years of daily history
 * (difficulty retargets every 14 days, hashrate tracking difficulty, prices and fees oscillating).
 * Resources named in `failing` throw UpstreamError, as the real Market does when every source fails.
 */
import { impliedHashrate } from '../../src/core/metrics/hashprice.ts';
import {
  UpstreamError,
  type DifficultyPoint,
  type FeeHistoryPoint,
  type HashratePoint,
  type HistoryPeriod,
  type Market,
  type PoolWindow,
  type PricePoint,
  type RewardHistoryPoint,
  type Sourced,
} from '../../src/core/market.ts';

const DAY = 86_400;
const PERIOD_DAYS: Record<HistoryPeriod, number> = { '1w': 7, '1m': 30, '3m': 90, '6m': 180, '1y': 365, '2y': 730, '3y': 1095, all: 1500 };

interface StubHistory {
  difficulty: DifficultyPoint[];
  hashrates: HashratePoint[];
  rewards: RewardHistoryPoint[];
  fees: FeeHistoryPoint[];
  prices: PricePoint[];
}

/** Daily points at 12:00 UTC for `days` days up to nowSec; retargets every 14 days at 08:00 UTC. */
function stubHistory(nowSec: number, days = 1100): StubHistory {
  const firstDay = Math.floor(nowSec / DAY) - days;
  const difficulty: DifficultyPoint[] = [];
  let d = 80e12;
  for (let k = 0; (firstDay + 14 * k) * DAY <= nowSec; k++) {
    const adjustment = 1 + 0.04 * Math.sin(k * 1.3);
    d *= adjustment;
    const timeSec = (firstDay + 14 * k) * DAY + 8 * 3600;
    if (timeSec <= nowSec) difficulty.push({ timeSec, height: 800_000 + 2016 * k, difficulty: d, adjustment });
  }
  const hashrates: HashratePoint[] = [];
  const rewards: RewardHistoryPoint[] = [];
  const fees: FeeHistoryPoint[] = [];
  const prices: PricePoint[] = [];
  for (let i = 0; i <= days; i++) {
    const t = (firstDay + i) * DAY + 12 * 3600;
    if (t > nowSec) break;
    const inForce = [...difficulty].reverse().find((p) => p.timeSec <= t) ?? difficulty[0]!;
    const height = 800_000 + i * 144;
    const feeSats = Math.round(2_000_000 * (1 + 0.6 * Math.sin(i / 5)));
    const subsidy = height >= 840_000 ? 312_500_000 : 625_000_000;
    const usd = Math.round(60_000 + 20_000 * Math.sin(i / 40));
    hashrates.push({ timestampSec: t, avgHashrate: impliedHashrate(inForce.difficulty) * (1 + 0.06 * Math.sin(i / 2.7)) });
    rewards.push({ avgHeight: height, timestampSec: t, avgRewardsSats: subsidy + feeSats, usd });
    fees.push({ avgHeight: height, timestampSec: t, avgFeesSats: feeSats, usd });
    prices.push({ timeSec: t, usd });
  }
  return { difficulty, hashrates, rewards, fees, prices };
}

export interface StubMarket extends Market {
  failing: Set<string>;
  history: StubHistory;
}

export function stubMarket(nowSec: number, opts: { source?: string; stale?: boolean } = {}): StubMarket {
  const history = stubHistory(nowSec);
  const failing = new Set<string>();
  const calls: Record<string, number> = {};
  const source = opts.source ?? 'stub-mempool';
  const answer = <T>(resource: string, value: () => T): Promise<Sourced<T>> => {
    calls[resource] = (calls[resource] ?? 0) + 1;
    if (failing.has(resource) || failing.has(resource.split(':')[0]!)) {
      return Promise.reject(new UpstreamError(resource, `${resource} is unavailable (stub)`));
    }
    return Promise.resolve({ value: value(), source, fetchedAt: nowSec * 1000 - 60_000, stale: opts.stale ?? false });
  };
  const since = (period: HistoryPeriod) => nowSec - PERIOD_DAYS[period] * DAY;
  const last = <T>(xs: T[]) => xs[xs.length - 1]!;
  const tipDifficulty = () => last(history.difficulty).difficulty;
  return {
    failing,
    history,
    tip: () => answer('tip', () => ({ height: 890_000, timestampSec: nowSec - 300, difficulty: tipDifficulty() })),
    network: () =>
      answer('network', () => ({ height: 890_000, difficulty: tipDifficulty(), hashrate: last(history.hashrates).avgHashrate })),
    difficultyAdjustment: () => Promise.reject(new UpstreamError('difficultyAdjustment', 'not stubbed')),
    rewardStats: (blocks) =>
      answer('rewardStats', () => ({
        startBlock: 890_001 - blocks,
        endBlock: 890_000,
        totalRewardSats: blocks * 315_000_000,
        totalFeeSats: blocks * 2_500_000,
        totalTx: blocks * 3000,
      })),
    prices: () => answer('prices', () => ({ timeSec: nowSec - 120, rates: { USD: last(history.prices).usd } })),
    hashrateHistory: (period) =>
      answer(`hashrateHistory:${period}`, () => ({
        hashrates: history.hashrates.filter((p) => p.timestampSec >= since(period)),
        difficulty: history.difficulty.filter((p) => p.timeSec >= since(period)),
        currentHashrate: last(history.hashrates).avgHashrate,
        currentDifficulty: tipDifficulty(),
      })),
    pools: (window: PoolWindow) =>
      answer(`pools:${window}`, () => {
        const names = [
          'Foundry USA',
          'AntPool',
          'ViaBTC',
          'F2Pool',
          'SpiderPool',
          'MARA Pool',
          'Luxor',
          'SECPOOL',
          'Braiins Pool',
          'Ocean',
          'Binance Pool',
          'Poolin',
        ];
        const pools = names.map((name, i) => ({
          name,
          slug: name.toLowerCase().replace(/\s+/g, ''),
          blockCount: Math.round(300 / (i + 1)),
        }));
        pools.push({ name: 'Unknown', slug: 'unknown', blockCount: 12 });
        return { window, blockCount: pools.reduce((a, p) => a + p.blockCount, 0), pools };
      }),
    // Weekly shares (Mondays 00:00 UTC) of three pools and the rest: Foundry USA grows by 0.5 points a week.
    poolHistory: (period) =>
      answer(`poolHistory:${period}`, () => {
        const lastMonday = Math.floor((nowSec / DAY - 4) / 7) * 7 * DAY + 4 * DAY;
        const points = [];
        for (let k = 0; lastMonday - k * 7 * DAY >= since(period); k++) {
          const t = lastMonday - k * 7 * DAY;
          const foundry = 0.3 - 0.005 * k;
          for (const [poolName, share] of [
            ['Foundry USA', foundry],
            ['AntPool', 0.18],
            ['ViaBTC', 0.12],
            ['Unknown', 0.02],
          ] as const) {
            points.push({ timestampSec: t, poolName, share, avgHashrate: share * 8e20 });
          }
        }
        return points.sort((a, b) => a.timestampSec - b.timestampSec);
      }),
    recommendedFees: () => Promise.reject(new UpstreamError('recommendedFees', 'not stubbed')),
    rewardHistory: (period) => answer(`rewardHistory:${period}`, () => history.rewards.filter((p) => p.timestampSec >= since(period))),
    feeHistory: (period) => answer(`feeHistory:${period}`, () => history.fees.filter((p) => p.timestampSec >= since(period))),
    priceHistory: () => answer('priceHistory', () => history.prices),
    callCounts: () => ({ ...calls }),
  };
}
