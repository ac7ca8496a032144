import { describe, expect, it } from 'vitest';
import { METRICS } from '../../../src/alerts/metrics.ts';
import { CHART_METRICS } from '../../../src/charts/metric-charts.ts';
import { ALERT_METRIC_IDS, CATALOG, CHART_NAMES, HISTORY_METRIC_IDS, METRIC_IDS } from '../../../src/core/metrics/catalog.ts';
import { headlineRows } from '../../../src/market-data/recorder.ts';
import { headline } from '../../alerts/headline.ts';

describe('the metric catalog', () => {
  it('gives every metric its own snapshot key (a stored series means one thing)', () => {
    const keys = METRIC_IDS.map((id) => CATALOG[id].snapshot);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is what alerts, charts and the back-fill read: one id, the same entry', () => {
    expect(ALERT_METRIC_IDS).toEqual([
      'hashprice',
      'hashprice_btc',
      'price',
      'hashrate',
      'difficulty',
      'difficulty_change',
      'fees',
      'toppool',
      'nakamoto',
      'hashprice_next',
    ]);
    for (const id of ALERT_METRIC_IDS) {
      expect(METRICS[id].label).toBe(CATALOG[id].label);
      expect(METRICS[id].snapshot).toBe(CATALOG[id].snapshot);
    }
    expect(HISTORY_METRIC_IDS.map((id) => CATALOG[id].snapshot)).toEqual([
      'hashprice_usd',
      'hashprice_btc',
      'price_usd',
      'hashrate',
      'difficulty',
      'fee_share',
    ]);
    // The names users type stay accepted; each maps through the catalog to one metric.
    expect(CHART_METRICS).toEqual(['hashprice', 'hashprice-btc', 'hashrate', 'price', 'difficulty', 'fees', 'revenue', 'pools']);
    expect(CHART_NAMES['hashprice-btc']).toBe('hashprice_btc');
    expect(CHART_NAMES.hashrate).toBe('hashrate_daily');
  });

  it('re-arms a whole-number metric one step back, others past 2 % or the floor', () => {
    expect(CATALOG.nakamoto.rearmFloor).toBeNull();
    expect(CATALOG.difficulty_change.rearmFloor).toBe(0.25);
    expect(CATALOG.toppool.rearmFloor).toBe(0.5);
  });
});

describe('headlineRows', () => {
  it('records the daily hashrate estimate under "hashrate" with its own source, the 7-day average under "hashrate_7d"', () => {
    const rows = headlineRows(
      headline({ atMs: Date.UTC(2025, 3, 1, 12, 7), hashrateEstimate: { hashrate: 8.1e20, source: 'blockchain.info' } }),
    );
    const slot = Date.UTC(2025, 3, 1, 12) / 1000; // 12:07 falls in the 12:00 10-minute slot
    expect(rows.find((r) => r.metric === 'hashrate')).toEqual({
      metric: 'hashrate',
      tsSec: slot,
      value: 8.1e20,
      source: 'blockchain.info',
    });
    expect(rows.find((r) => r.metric === 'hashrate_7d')).toEqual({
      metric: 'hashrate_7d',
      tsSec: slot,
      value: 820e18,
      source: 'mempool.space',
    });
    // 45 / (1 + 2.1 / 100) = 44.0744…: no halving inside the epoch at height 890,000.
    expect(rows.find((r) => r.metric === 'hashprice_next_usd')?.value).toBeCloseTo(45 / 1.021, 12);
  });

  it('records nothing from a stale headline, and no daily estimate when none was had', () => {
    expect(headlineRows(headline({ stale: true }))).toEqual([]);
    expect(headlineRows(headline()).some((r) => r.metric === 'hashrate')).toBe(false);
  });
});
