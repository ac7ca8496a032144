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
import type { HistoryPeriod, Market } from '../core/market.ts';
import { dailyMean } from './daily.ts';
import { daysOf, loadDailyHashprice, periodCovering } from './history.ts';
import type { HistoryMetricId } from '../core/metrics/catalog.ts';
import { DAY_SEC } from './metrics.ts';

export interface MetricHistory {
  points: Point[];
  provenance: Provenance[];
}

const positive = (p: Point) => Number.isFinite(p.v) && p.v > 0;

export async function historyFromMarket(market: Market, metric: HistoryMetricId, period: HistoryPeriod): Promise<MetricHistory> {
  switch (metric) {
    case 'hashprice':
    case 'hashprice_btc': {
      const { days, provenance } = await loadDailyHashprice(market, period);
      return {
        points: days.flatMap((p) => {
          const v = metric === 'hashprice' ? p.usdPerPhDay : p.btcPerPhDay;
          return v === undefined ? [] : [{ t: p.t, v }];
        }),
        // BTC per PH/s needs no price.
        provenance: metric === 'hashprice' ? provenance : provenance.filter((p) => p.what !== 'price history'),
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
        points: dailyMean(
          prices.value.map((p) => ({ t: p.timeSec, v: p.usd })).filter((p) => positive(p) && p.t >= newest - days * DAY_SEC),
        ),
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
