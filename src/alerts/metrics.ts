/**
 * The headline metrics a rule can watch: how to read each from a Headline, how to show it, and the
 * re-arm margin. Hysteresis rule: a rule that fired re-arms only once the value is back past the
 * threshold by margin = max(2 % of |threshold|, the metric's absolute floor). The floor matters for
 * percentage metrics near 0 (a difficulty-change threshold of 0 % still needs 0.25 points). Nakamoto
 * is a whole number: its margin is 0, since "back on the other side" is already a full step.
 *
 * `difficulty` is the level (stored as the raw difficulty, typed in T); the estimate for the next
 * retarget is `difficulty_change`. Rules stored by 0.1.0 used `difficulty` for the estimate: the
 * store migration renamed them (src/store/migrations.ts, version 3), so no stored rule changed meaning.
 */
import { btc, difficulty as fmtDifficulty, hashrate, pct, pctChange, usd } from '../core/format.ts';
import { snapshotSlot } from '../store/snapshots.ts';
import { trustedFigure, type Headline } from '../core/headline.ts';

export const METRIC_IDS = ['hashprice', 'hashprice_btc', 'price', 'hashrate', 'difficulty', 'difficulty_change', 'fees', 'toppool', 'nakamoto'] as const;
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
  /** How many stored units make one typed unit (hashrate is stored in H/s and typed in EH/s). */
  scale?: number;
  /** The smallest and largest threshold that make sense. */
  min: number;
  max: number;
  /**
   * The smallest non-zero threshold magnitude the replies can show: below it the alert would read
   * "below $0.0000" (a threshold nobody can check against the figures the bot prints).
   */
  step: number;
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
    step: 0.01,
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
    step: 0.000001,
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
    step: 1,
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
    scale: 1e18,
    min: 0,
    max: 1e24,
    step: 1e15,
  },
  difficulty: {
    label: 'mining difficulty',
    unit: 'T',
    read: (h) => h.difficulty,
    format: fmtDifficulty,
    marginFloor: 0,
    snapshot: 'difficulty',
    parseValue: parseDifficulty,
    scale: 1e12,
    min: 1e12,
    max: 1e18,
    step: 1e12,
  },
  difficulty_change: {
    label: 'estimated difficulty change at the next retarget',
    unit: '%',
    read: (h) => h.difficultyChangePercent,
    format: (v) => pctChange(v),
    marginFloor: 0.25,
    snapshot: 'difficulty_change',
    min: -75,
    max: 300,
    step: 0.01,
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
    step: 0.01,
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
    step: 0.1,
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
    step: 1,
  },
};

/**
 * Difficulty as miners say it: "120", "120T" and "120 T" mean 120 × 10¹² (a bare number below a
 * million is T: nobody means a difficulty of 120); "0.12P" is P; "1.2e14" or a long number is the
 * raw difficulty.
 */
function parseDifficulty(raw: string): number {
  const s = raw.trim().toLowerCase().replace(/[\s,_]+/g, '');
  if (/^\d+(?:\.\d+)?e[+]?\d+$/.test(s)) return Number(s);
  const m = /^(\d+(?:\.\d+)?)(t|p)?$/.exec(s);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  if (m[2] === 'p') return n * 1e15;
  if (m[2] === 't' || n < 1e6) return n * 1e12;
  return n;
}

/** A value in the unit people type it in ("600 EH/s", "120 T", "40 USD/PH/day"), for messages. */
export function typed(metric: MetricId, v: number): string {
  const def = METRICS[metric];
  return `${Number((v / (def.scale ?? 1)).toPrecision(12))} ${def.unit}`;
}

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
 * on. Names and units match src/market-data/metrics.ts where both keep a metric. A headline built on a
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
