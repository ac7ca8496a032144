/**
 * Turns mempool's history endpoints (through the Market) into per-metric daily series in the stored
 * units: one point per UTC day, the day's mean, at 00:00 UTC (see daily.ts). Historical hashprice uses
 * the live formula with that day's price (dailyHashprice).
 */
import type { Provenance } from '../core/freshness.ts';
import type { Point } from '../core/metrics/history.ts';
import { feeShare } from '../core/metrics/hashprice.ts';
import { subsidyBtc } from '../core/metrics/subsidy.ts';
import { SATS_PER_BTC } from '../core/metrics/constants.ts';
import type { HistoryPeriod, Market } from '../sources/types.ts';
import { dailyHashprice, dailyMean } from './daily.ts';
import type { HistoryMetricId } from '../core/metrics/catalog.ts';
import { DAY_SEC } from './metrics.ts';

export interface MetricHistory {
  points: Point[];
  provenance: Provenance[];
}

const PERIOD_DAYS: [HistoryPeriod, number][] = [
  ['1w', 7],
  ['1m', 30],
  ['3m', 90],
  ['6m', 180],
  ['1y', 365],
  ['2y', 730],
  ['3y', 1095],
];

/** The shortest history period reaching `days` back (finer resolution, smaller answer). */
export function periodCovering(days: number): HistoryPeriod {
  return PERIOD_DAYS.find(([, d]) => d >= days)?.[0] ?? 'all';
}

const daysOf = (period: HistoryPeriod) => PERIOD_DAYS.find(([p]) => p === period)?.[1] ?? Infinity;

const positive = (p: Point) => Number.isFinite(p.v) && p.v > 0;

export async function historyFromMarket(market: Market, metric: HistoryMetricId, period: HistoryPeriod): Promise<MetricHistory> {
  switch (metric) {
    case 'hashprice':
    case 'hashprice_btc': {
      // The retarget in force when the period opens is up to ~2 weeks older than the period itself.
      const difficultyPeriod = periodCovering(daysOf(period) + 30);
      const [rewards, hashrate, prices] = await Promise.all([
        market.rewardHistory(period),
        market.hashrateHistory(difficultyPeriod),
        metric === 'hashprice' ? market.priceHistory() : undefined,
      ]);
      const series = dailyHashprice(rewards.value, hashrate.value.difficulty, prices?.value ?? []);
      return {
        points: series.flatMap((p) => {
          const v = metric === 'hashprice' ? p.usdPerPhDay : p.btcPerPhDay;
          return v === undefined ? [] : [{ t: p.t, v }];
        }),
        provenance: [
          { what: 'reward history', sourced: rewards },
          { what: 'difficulty history', sourced: hashrate },
          ...(prices ? [{ what: 'price history', sourced: prices }] : []),
        ],
      };
    }
    case 'hashrate_daily': {
      const h = await market.hashrateHistory(period);
      return {
        points: dailyMean(h.value.hashrates.map((p) => ({ t: p.timestampSec, v: p.avgHashrate })).filter(positive)),
        provenance: [{ what: 'hashrate history', sourced: h }],
      };
    }
    case 'difficulty': {
      // Reach back past the period for the retarget in force when it opens (steps start there).
      const h = await market.hashrateHistory(periodCovering(daysOf(period) + 30));
      return {
        points: h.value.difficulty.map((d) => ({ t: d.timeSec, v: d.difficulty })).filter(positive),
        provenance: [{ what: 'difficulty history', sourced: h }],
      };
    }
    case 'price': {
      const prices = await market.priceHistory();
      const days = daysOf(period);
      const newest = Math.max(...prices.value.map((p) => p.timeSec));
      return {
        // Hourly rows since mid-2022: a day is their mean, never its highest or last hour.
        points: dailyMean(prices.value.map((p) => ({ t: p.timeSec, v: p.usd })).filter((p) => positive(p) && p.t >= newest - days * DAY_SEC)),
        provenance: [{ what: 'price history', sourced: prices }],
      };
    }
    case 'fees': {
      const fees = await market.feeHistory(period);
      return {
        // Same formula as the live fee share: fees over subsidy + fees at that height.
        points: dailyMean(
          fees.value
            .filter((f) => f.avgHeight >= 0 && f.avgFeesSats >= 0)
            .map((f) => ({ t: f.timestampSec, v: feeShare(subsidyBtc(Math.round(f.avgHeight)), f.avgFeesSats / SATS_PER_BTC) * 100 })),
        ),
        provenance: [{ what: 'fee history', sourced: fees }],
      };
    }
  }
}
