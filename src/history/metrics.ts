/**
 * The metrics kept in the snapshot table. Charts, back-fill and
 * alerts agree on these names and units; the stored value is the normalised one (H/s, USD, percent).
 */
export const HISTORY_METRICS = ['hashprice_usd', 'hashprice_btc', 'hashrate', 'difficulty', 'price_usd', 'fee_share'] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

export const DAY_SEC = 86_400;
/** The back-fill reaches this far back, and a 1-year chart needs no more. */
export const HISTORY_DAYS = 365;
