/**
 * The metrics kept in the snapshot table, with the unit of the stored value. Charts, back-fill and
 * alerts agree on these names and units; the stored value is the normalised one (H/s, USD, percent).
 */
export const HISTORY_METRICS = ['hashprice_usd', 'hashprice_btc', 'hashrate', 'difficulty', 'price_usd', 'fee_share'] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

export const METRIC_UNITS: Record<HistoryMetric, string> = {
  hashprice_usd: 'USD per PH/s per day',
  hashprice_btc: 'BTC per PH/s per day',
  hashrate: 'H/s',
  difficulty: 'difficulty',
  price_usd: 'USD per BTC',
  fee_share: 'percent of miner revenue (5 = 5 %)',
};

export const DAY_SEC = 86_400;
/** The back-fill reaches this far back, and a 1-year chart needs no more. */
export const HISTORY_DAYS = 365;
