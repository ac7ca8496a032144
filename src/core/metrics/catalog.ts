/**
 * The one list of metrics hashwatch watches, stores and draws. An id means the same thing in alert
 * rules, charts, history and the snapshot table; each entry says how to read the metric from the
 * Headline, how to show it, under which key it is stored, how alerts treat it and how a chart
 * draws it. Spellings users type that differ from the id (`/chart hashprice-btc`) are aliases here.
 *
 * Hysteresis: a rule that fired re-arms only once the value is back past the threshold by
 * max(2 % of |threshold|, the metric's re-arm floor). The floor matters for percentage metrics near 0
 * (a difficulty-change threshold of 0 % still needs 0.25 points).
 *
 * `difficulty` is the level (stored as the raw difficulty, typed in T); the estimate for the next
 * retarget is `difficulty_change`. Rules stored by 0.1.0 used `difficulty` for the estimate: the
 * store migration renamed them (src/store/migrations.ts, version 3), so no stored rule changed meaning.
 */
import { btc, difficulty as fmtDifficulty, hashrate as fmtHashrate, int, pct, pctChange, usd } from '../format.ts';
import { trustedFigure, type Headline } from '../headline.ts';
import { RETARGET_INTERVAL } from './constants.ts';
import { subsidyBtc } from './subsidy.ts';

/** Keys of the metric_snapshots table; stored values are in the normalised unit (H/s, USD, percent). */
type SnapshotKey =
  | 'hashprice_usd'
  | 'hashprice_btc'
  | 'price_usd'
  | 'hashrate_7d'
  | 'hashrate'
  | 'difficulty'
  | 'difficulty_change'
  | 'fee_share'
  | 'top_pool_share'
  | 'nakamoto'
  | 'hashprice_next_usd';

/** What a rule on the metric accepts. */
export interface ThresholdSettings {
  /** The smallest and largest threshold that make sense. */
  min: number;
  max: number;
  /**
   * The smallest non-zero threshold magnitude the replies can show: below it the alert would read
   * "below $0.0000" (a threshold nobody can check against the figures the bot prints).
   */
  step: number;
  /** How many stored units make one typed unit (hashrate is stored in H/s and typed in EH/s). */
  scale?: number;
  /** Typed values accepted in a threshold; a hashrate may be typed in EH/s. */
  parseValue?(raw: string): number;
}

/** How `/chart` draws the metric's stored series. */
export interface ChartSettings {
  title: string;
  /** Axis title and subtitle unit. */
  unit: string;
  /** Stored value × factor = plotted value (H/s → EH/s, BTC → sats). */
  factor: number;
  axis(plotted: number): string;
  /** Stored value → text in the chart's reply, when it differs from `format`. */
  text?(stored: number): string;
  /** Extra days before the range a chart needs (moving averages, the step in force). */
  lookbackDays: number;
  /** Drawn as steps (difficulty holds between retargets). */
  stepped?: boolean;
}

export interface MetricEntry {
  /** In plain words, for rule descriptions, alert messages and /about. */
  label: string;
  /** The unit values are typed and shown in. */
  unit: string;
  format(v: number): string;
  /** Name in the metric_snapshots table. */
  snapshot: SnapshotKey;
  /** The stored value's unit, in words. */
  storedUnit: string;
  /** The live value from a headline; undefined when the headline cannot vouch for it. */
  read(h: Headline): number | undefined;
  /** Where the live value came from, when not from the headline's own sources. */
  sourceOf?(h: Headline): string | undefined;
  /** Absolute floor of the re-arm margin, in the metric's unit; null: a whole-number metric re-arms one step back. */
  rearmFloor: number | null;
  /** Present when alert rules may watch the metric. */
  threshold?: ThresholdSettings;
  /** Present when `/chart` draws the metric. */
  chart?: ChartSettings;
  /** Back-filled with a year of daily points from upstream history at start-up. */
  backfill?: boolean;
}

/** Tick labels: short, and never more digits than the axis step needs (charts use them too). */
export const num = (v: number, digits: number) => v.toLocaleString('en-US', { maximumFractionDigits: digits });
export const sig = (v: number) => String(Number(v.toPrecision(4)));

export const CATALOG = {
  hashprice: {
    label: 'hashprice (USD per PH/s per day)',
    unit: 'USD/PH/day',
    format: (v) => `${usd(v)}/PH/day`,
    snapshot: 'hashprice_usd',
    storedUnit: 'USD per PH/s per day',
    read: (h) => trustedFigure(h, 'hashpriceUsdPerPhDay'),
    rearmFloor: 0,
    threshold: { min: 0, max: 1e6, step: 0.01 },
    chart: {
      title: 'Hashprice (USD)',
      unit: 'USD per PH/s per day',
      factor: 1,
      lookbackDays: 0,
      axis: (v) => `$${num(v, v < 10 ? 2 : 0)}`,
    },
    backfill: true,
  },
  hashprice_btc: {
    label: 'hashprice (BTC per PH/s per day)',
    unit: 'BTC/PH/day',
    format: (v) => `${btc(v, 6)}/PH/day`,
    snapshot: 'hashprice_btc',
    storedUnit: 'BTC per PH/s per day',
    read: (h) => trustedFigure(h, 'hashpriceBtcPerPhDay'),
    rearmFloor: 0,
    threshold: { min: 0, max: 10, step: 0.000001 },
    chart: {
      title: 'Hashprice (BTC)',
      unit: 'sats per PH/s per day',
      factor: 1e8,
      lookbackDays: 0,
      axis: (v) => num(v, 0),
      text: (v) => `${int(v * 1e8)} sats/PH/day`,
    },
    backfill: true,
  },
  price: {
    label: 'BTC price (USD)',
    unit: 'USD',
    format: usd,
    snapshot: 'price_usd',
    storedUnit: 'USD per BTC',
    read: (h) => h.priceUsd,
    rearmFloor: 0,
    threshold: { min: 0, max: 1e9, step: 1 },
    chart: {
      title: 'Bitcoin price',
      unit: 'USD per BTC',
      factor: 1,
      lookbackDays: 0,
      axis: (v) => (v >= 1000 ? `$${sig(v / 1000)}k` : `$${num(v, 0)}`),
    },
    backfill: true,
  },
  hashrate: {
    label: 'hashrate (7-day average)',
    unit: 'EH/s',
    format: fmtHashrate,
    snapshot: 'hashrate_7d',
    storedUnit: 'H/s',
    read: (h) => h.hashrate7d,
    rearmFloor: 0,
    // People think in EH/s: "600", "600E" and "600 EH/s" mean 600 EH/s; "600P" is PH/s; a number
    // in scientific notation ("6e20") is taken as H/s.
    threshold: { min: 0, max: 1e24, step: 1e15, scale: 1e18, parseValue: parseHashrate },
  },
  /** mempool's daily hashrate estimates (not the 7-day average): what the hashrate chart and its ribbons draw. */
  hashrate_daily: {
    label: 'hashrate (daily estimate)',
    unit: 'EH/s',
    format: fmtHashrate,
    snapshot: 'hashrate',
    storedUnit: 'H/s',
    read: (h) => h.hashrateEstimate?.hashrate,
    sourceOf: (h) => h.hashrateEstimate?.source,
    rearmFloor: 0,
    chart: { title: 'Network hashrate', unit: 'EH/s', factor: 1e-18, lookbackDays: 60, axis: (v) => num(v, 0) },
    backfill: true,
  },
  difficulty: {
    label: 'mining difficulty',
    unit: 'T',
    format: fmtDifficulty,
    snapshot: 'difficulty',
    storedUnit: 'difficulty',
    read: (h) => h.difficulty,
    rearmFloor: 0,
    threshold: { min: 1e12, max: 1e18, step: 1e12, scale: 1e12, parseValue: parseDifficulty },
    chart: {
      title: 'Mining difficulty',
      unit: 'difficulty, T (× 10¹²)',
      factor: 1e-12,
      lookbackDays: 30,
      stepped: true,
      axis: (v) => `${sig(v)} T`,
    },
    backfill: true,
  },
  difficulty_change: {
    label: 'estimated difficulty change at the next retarget',
    unit: '%',
    format: (v) => pctChange(v),
    snapshot: 'difficulty_change',
    storedUnit: 'percent',
    read: (h) => h.difficultyChangePercent,
    rearmFloor: 0.25,
    threshold: { min: -75, max: 300, step: 0.01 },
  },
  fees: {
    label: 'fee share of miner revenue',
    unit: '%',
    format: (v) => pct(v, 2),
    snapshot: 'fee_share',
    storedUnit: 'percent of miner revenue (5 = 5 %)',
    read: (h) => trustedFigure(h, 'feeSharePercent'),
    rearmFloor: 0.25,
    threshold: { min: 0, max: 100, step: 0.01 },
    chart: {
      title: 'Fee share of miner revenue',
      unit: '% of revenue (fees ÷ subsidy + fees)',
      factor: 1,
      lookbackDays: 0,
      axis: (v) => `${sig(v)} %`,
    },
    backfill: true,
  },
  toppool: {
    label: 'largest pool share of blocks (last week)',
    unit: '%',
    format: (v) => pct(v, 1),
    snapshot: 'top_pool_share',
    storedUnit: 'percent of blocks',
    read: (h) => h.topPool.sharePercent,
    rearmFloor: 0.5,
    threshold: { min: 0, max: 100, step: 0.1 },
  },
  nakamoto: {
    label: 'Nakamoto coefficient (pools)',
    unit: 'pools',
    format: (v) => String(v),
    snapshot: 'nakamoto',
    storedUnit: 'pools',
    read: (h) => h.nakamoto,
    // A whole number: "back on the other side" is already a full step.
    rearmFloor: null,
    threshold: { min: 1, max: 100, step: 1 },
  },
  hashprice_next: {
    label: 'hashprice after the next adjustment (estimate, USD per PH/s per day)',
    unit: 'USD/PH/day',
    format: (v) => `${usd(v)}/PH/day`,
    snapshot: 'hashprice_next_usd',
    storedUnit: 'USD per PH/s per day',
    read: hashpriceAfterRetarget,
    rearmFloor: 0,
    threshold: { min: 0, max: 1e6, step: 0.01 },
  },
} satisfies Record<string, MetricEntry>;

export type MetricId = keyof typeof CATALOG;
export const METRIC_IDS = Object.keys(CATALOG) as MetricId[];

type WithField<F extends keyof MetricEntry> = { [K in MetricId]: (typeof CATALOG)[K] extends Record<F, unknown> ? K : never }[MetricId];
/** Metrics alert rules may watch, in the order they are offered. */
export type AlertMetricId = WithField<'threshold'>;
export const ALERT_METRIC_IDS = METRIC_IDS.filter((id): id is AlertMetricId => 'threshold' in CATALOG[id]);
/** Metrics the start-up back-fill fetches a year of daily history for. */
export type HistoryMetricId = WithField<'backfill'>;
export const HISTORY_METRIC_IDS = METRIC_IDS.filter((id): id is HistoryMetricId => 'backfill' in CATALOG[id]);
export type ChartedMetricId = WithField<'chart'>;

/**
 * The names `/chart` accepts, in the order it offers them, and the metric each draws. Charts were
 * named before the catalog: `hashprice-btc` is the id `hashprice_btc`, and `hashrate` draws the
 * daily estimates (`hashrate_daily`), with the 30- and 60-day averages of those days.
 */
export const CHART_NAMES = {
  hashprice: 'hashprice',
  'hashprice-btc': 'hashprice_btc',
  hashrate: 'hashrate_daily',
  price: 'price',
  difficulty: 'difficulty',
  fees: 'fees',
} as const satisfies Record<string, ChartedMetricId>;

/**
 * Hashprice once the estimated retarget takes effect, at today's price and fees (what /hashprice
 * shows as "after the adjustment"): hashprice is (subsidy + fees) × price / difficulty, so the
 * difficulty factor is 1 / (1 + change) and, when a halving falls inside the epoch, the revenue
 * factor is (subsidy then + fees) / (subsidy now + fees), with fees per block from the fee share
 * (fees = subsidy × share / (1 − share)). Undefined while the estimate is too early, or when the
 * hashprice (or, across a halving, the fee share) was computed with an input missing.
 */
export function hashpriceAfterRetarget(h: Headline): number | undefined {
  const hp = trustedFigure(h, 'hashpriceUsdPerPhDay');
  const change = h.difficultyChangePercent;
  if (hp === undefined || change === undefined || !(change > -100) || !Number.isSafeInteger(h.height) || h.height < 0) return undefined;
  const retargetHeight = h.height - (h.height % RETARGET_INTERVAL) + RETARGET_INTERVAL;
  const now = subsidyBtc(h.height);
  const then = subsidyBtc(retargetHeight);
  let revenue = 1;
  if (then !== now) {
    const share = trustedFigure(h, 'feeSharePercent');
    if (share === undefined || !(share < 100)) return undefined;
    const fees = (now * share) / (100 - share);
    revenue = (then + fees) / (now + fees);
  }
  return (hp * revenue) / (1 + change / 100);
}

/** A hashrate as people type it: EH/s by default, P or Z suffixes, or H/s in scientific notation. */
function parseHashrate(raw: string): number {
  const s = raw
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/h\/s$|h$/, '');
  if (/^\d+(?:\.\d+)?e[+]?\d+$/.test(s)) return Number(s);
  const m = /^(\d+(?:\.\d+)?)(e|p|z)?$/.exec(s);
  if (!m) return Number.NaN;
  const scale = m[2] === 'p' ? 1e15 : m[2] === 'z' ? 1e21 : 1e18;
  return Number(m[1]) * scale;
}

/**
 * Difficulty as miners say it: "120", "120T" and "120 T" mean 120 × 10¹² (a bare number below a
 * million is T: nobody means a difficulty of 120); "0.12P" is P; "1.2e14" or a long number is the
 * raw difficulty.
 */
function parseDifficulty(raw: string): number {
  const s = raw
    .trim()
    .toLowerCase()
    .replace(/[\s,_]+/g, '');
  if (/^\d+(?:\.\d+)?e[+]?\d+$/.test(s)) return Number(s);
  const m = /^(\d+(?:\.\d+)?)(t|p)?$/.exec(s);
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  if (m[2] === 'p') return n * 1e15;
  if (m[2] === 't' || n < 1e6) return n * 1e12;
  return n;
}
