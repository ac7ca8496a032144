/**
 * The headline metrics a rule can watch: how to read each from a Headline, how to show it, and the
 * re-arm margin. Hysteresis rule: a rule that fired re-arms only once the value is back past the
 * threshold by margin = max(2 % of |threshold|, the metric's absolute floor). The floor matters for
 * percentage metrics near 0 (a difficulty-change threshold of 0 % still needs 0.25 points). Nakamoto
 * is a whole number: its margin is 0, since "back on the other side" is already a full step.
 */
import { btc, hashrate, pct, pctChange, usd } from '../core/format.ts';
import { snapshotSlot } from '../store/snapshots.ts';
import { trustedFigure, type Headline } from '../core/headline.ts';

export const METRIC_IDS = ['hashprice', 'hashprice_btc', 'price', 'hashrate', 'difficulty', 'fees', 'toppool', 'nakamoto'] as const;
export type MetricId = (typeof METRIC_IDS)[number];

export interface MetricDef {
  /** In plain words, for rule descriptions and alert messages. */
  label: string;
  /** The unit typed values are in, for validation messages. */
  unit: string;
  read(h: Headline): number | undefined;
  format(v: number): string;
  /** Absolute floor of the re-arm margin, in the metric's unit. */
  marginFloor: number;
  /** Name in the metric_snapshots table, shared with charts. */
  snapshot: string;
  /** Typed values accepted in a threshold; a hashrate may be typed in EH/s. */
  parseValue?(raw: string): number;
  /** The smallest and largest threshold that make sense. */
  min: number;
  max: number;
}

const RELATIVE_MARGIN = 0.02;

export const METRICS: Record<MetricId, MetricDef> = {
  hashprice: {
    label: 'hashprice (USD per PH/s per day)',
    unit: 'USD/PH/day',
    read: (h) => trustedFigure(h, 'hashpriceUsdPerPhDay'),
    format: (v) => `${usd(v)}/PH/day`,
    marginFloor: 0,
    snapshot: 'hashprice_usd',
    min: 0,
    max: 1e6,
  },
  hashprice_btc: {
    label: 'hashprice (BTC per PH/s per day)',
    unit: 'BTC/PH/day',
    read: (h) => trustedFigure(h, 'hashpriceBtcPerPhDay'),
    format: (v) => `${btc(v, 6)}/PH/day`,
    marginFloor: 0,
    snapshot: 'hashprice_btc',
    min: 0,
    max: 10,
  },
  price: {
    label: 'BTC price (USD)',
    unit: 'USD',
    read: (h) => h.priceUsd,
    format: usd,
    marginFloor: 0,
    snapshot: 'price_usd',
    min: 0,
    max: 1e9,
  },
  hashrate: {
    label: 'hashrate (7-day average)',
    unit: 'EH/s',
    read: (h) => h.hashrate7d,
    format: hashrate,
    marginFloor: 0,
    snapshot: 'hashrate_7d',
    // People think in EH/s: "600", "600E" and "600 EH/s" mean 600 EH/s; "600P" is PH/s; a number
    // in scientific notation ("6e20") is taken as H/s.
    parseValue: (raw) => {
      const s = raw.trim().toLowerCase().replace(/\s+/g, '').replace(/h\/s$|h$/, '');
      if (/^\d+(?:\.\d+)?e[+]?\d+$/.test(s)) return Number(s);
      const m = /^(\d+(?:\.\d+)?)(e|p|z)?$/.exec(s);
      if (!m) return Number.NaN;
      const scale = m[2] === 'p' ? 1e15 : m[2] === 'z' ? 1e21 : 1e18;
      return Number(m[1]) * scale;
    },
    min: 0,
    max: 1e24,
  },
  difficulty: {
    label: 'estimated difficulty change at the next retarget',
    unit: '%',
    read: (h) => h.difficultyChangePercent,
    format: (v) => pctChange(v),
    marginFloor: 0.25,
    snapshot: 'difficulty_change',
    min: -75,
    max: 300,
  },
  fees: {
    label: 'fee share of miner revenue',
    unit: '%',
    read: (h) => trustedFigure(h, 'feeSharePercent'),
    format: (v) => pct(v, 2),
    marginFloor: 0.25,
    snapshot: 'fee_share',
    min: 0,
    max: 100,
  },
  toppool: {
    label: 'largest pool share of blocks (last week)',
    unit: '%',
    read: (h) => h.topPool.sharePercent,
    format: (v) => pct(v, 1),
    marginFloor: 0.5,
    snapshot: 'top_pool_share',
    min: 0,
    max: 100,
  },
  nakamoto: {
    label: 'Nakamoto coefficient (pools)',
    unit: 'pools',
    read: (h) => h.nakamoto,
    format: (v) => String(v),
    marginFloor: 0,
    snapshot: 'nakamoto',
    min: 1,
    max: 100,
  },
};

export function rearmMargin(metric: MetricId, threshold: number): number {
  if (metric === 'nakamoto') return 0;
  return Math.max(RELATIVE_MARGIN * Math.abs(threshold), METRICS[metric].marginFloor);
}

/** Change rules re-arm once the change is back inside the line by 2 % of it, at least half a point. */
export function changeMargin(percent: number): number {
  return Math.max(RELATIVE_MARGIN * Math.abs(percent), 0.5);
}

/**
 * Every headline metric as snapshot rows, so change rules (and charts) have a history to look back
 * on. Names and units match src/history/metrics.ts where both keep a metric. A headline built on a
 * stale input writes nothing: an old value must not be stored under a new timestamp.
 */
export function snapshotRows(h: Headline): { metric: string; tsSec: number; value: number; source: string }[] {
  if (h.stale) return [];
  const tsSec = snapshotSlot(h.atMs / 1000);
  const source = h.sources.join(', ') || 'headline';
  return METRIC_IDS.flatMap((id) => {
    const v = METRICS[id].read(h);
    return v === undefined || !Number.isFinite(v) ? [] : [{ metric: METRICS[id].snapshot, tsSec, value: v, source }];
  });
}
