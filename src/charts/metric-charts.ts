/**
 * What each `/chart` metric draws: which stored series, in which unit, with which extras (hash
 * ribbons on hashrate, retarget markers on difficulty), plus the text that goes with the picture.
 */
import { age, date, dateTime, difficulty as fmtDifficulty, hashrate as fmtHashrate, int, pct, pctChange, usd } from '../core/format.ts';
import { footerFor } from '../core/freshness.ts';
import { sma } from '../core/metrics/hashrate.ts';
import { lowHigh, type Point } from '../core/metrics/history.ts';
import type { ReplyChart, Tone } from '../core/reply.ts';
import { UpstreamError, type Market, type PoolWindow } from '../sources/types.ts';
import { dailyMean } from '../market-data/daily.ts';
import { CATALOG, CHART_NAMES, type ChartSettings, type HistoryMetricId, type MetricEntry } from '../core/metrics/catalog.ts';
import { DAY_SEC } from '../market-data/metrics.ts';
import { loadSeries, type LoadedSeries, type SnapshotReader } from '../market-data/series.ts';
import { renderChart, type LineSeries, type Marker } from './render.ts';
import { COLORS, POOL_PALETTE } from './theme.ts';
import { plural } from '../core/plural.ts';

/** The names `/chart` accepts: the catalog's chart names, and the pools bar chart. */
export const CHART_METRICS = [...(Object.keys(CHART_NAMES) as (keyof typeof CHART_NAMES)[]), 'pools'] as const;
export type ChartMetric = keyof typeof CHART_NAMES | 'pools';
/** 24h is for pools only (mempool's /v1/mining/pools/24h); a day is too short for the daily lines. */
export const CHART_RANGES = ['24h', '7d', '30d', '90d', '1y'] as const;
export type ChartRange = (typeof CHART_RANGES)[number];
export const LINE_CHART_RANGES = ['7d', '30d', '90d', '1y'] as const satisfies readonly ChartRange[];

export const RANGE_DAYS: Record<ChartRange, number> = { '24h': 1, '7d': 7, '30d': 30, '90d': 90, '1y': 365 };
const RANGE_WORDS: Record<ChartRange, string> = { '24h': 'last 24 hours', '7d': 'last 7 days', '30d': 'last 30 days', '90d': 'last 90 days', '1y': 'last 12 months' };
const POOL_WINDOW: Record<ChartRange, PoolWindow> = { '24h': '24h', '7d': '1w', '30d': '1m', '90d': '3m', '1y': '1y' };

export interface ChartRequest {
  metric: ChartMetric;
  range: ChartRange;
  market: Market;
  snapshots?: SnapshotReader;
  /** Milliseconds since the epoch. */
  now: number;
}

export interface BuiltChart {
  chart: ReplyChart;
  title: string;
  /** The latest value and the range's low and high, in words. */
  summary: string;
  footer: string[];
  notes: string[];
  tone: Tone;
  data: Record<string, unknown>;
}

/** What a line chart draws, from the catalog: the metric's stored series and its chart settings. */
interface LineDef extends ChartSettings {
  history: HistoryMetricId;
  /** Stored value → text in the reply. */
  text(stored: number): string;
}

function lineDef(name: Exclude<ChartMetric, 'pools'>): LineDef {
  const id = CHART_NAMES[name];
  const entry: MetricEntry = CATALOG[id];
  const chart: ChartSettings = CATALOG[id].chart;
  return { ...chart, history: id, text: chart.text ?? entry.format };
}

/** Retargets inside the range: where the stored difficulty changes from one point to the next. */
function retargets(points: readonly Point[], fromSec: number): Marker[] {
  const out: Marker[] = [];
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1]!;
    const p = points[i]!;
    if (p.t < fromSec || Math.abs(p.v / prev.v - 1) < 1e-9) continue;
    const change = (p.v / prev.v - 1) * 100;
    out.push({ t: p.t, v: p.v, color: change >= 0 ? COLORS.up : COLORS.down, label: pctChange(change, 1), labelBelow: change < 0 });
  }
  return out;
}

/**
 * Where the points came from and how old the newest is. A step series fetched just now is current
 * even when its newest point (the last retarget) is days old, so it gets no "newest point" line.
 */
function footerOf(loaded: LoadedSeries, now: number, newestSec: number, stepped: boolean): string[] {
  if (loaded.origin === 'market' && stepped) return footerFor(loaded.provenance, now);
  const head = loaded.origin === 'store'
    ? [`Source: ${loaded.sources.join(', ')} (history stored by hashwatch)`]
    : footerFor(loaded.provenance, now);
  return [...head, `Newest point ${dateTime(newestSec * 1000)} (${age(newestSec * 1000, now)})`];
}

const filename = (metric: ChartMetric, range: ChartRange) => `hashwatch-${metric}-${range}.png`;

async function lineChart(req: ChartRequest & { metric: Exclude<ChartMetric, 'pools'> }): Promise<BuiltChart> {
  const def = lineDef(req.metric);
  const toSec = Math.floor(req.now / 1000);
  const fromSec = toSec - RANGE_DAYS[req.range] * DAY_SEC;
  // Hash ribbons are moving averages of daily values; other lines get ~400 points across the range.
  const bucketSec = req.metric === 'hashrate' ? DAY_SEC : (toSec - fromSec) / 400;
  const loaded = await loadSeries({ metric: def.history, fromSec, toSec, lookbackDays: def.lookbackDays, bucketSec, market: req.market, snapshots: req.snapshots });
  const all = loaded.points;
  let inRange = all.filter((p) => p.t >= fromSec);
  const newest = all.at(-1);
  if (def.stepped && newest) {
    // Steps run from the value in force when the range opens to the value in force now.
    const before = all.filter((p) => p.t < fromSec).at(-1);
    inRange = [...(before ? [{ t: fromSec, v: before.v }] : []), ...inRange, { t: toSec, v: newest.v }];
  }
  const range = lowHigh(inRange, fromSec);
  const latest = inRange.at(-1);
  if (!range || !latest || !newest || inRange.length < 2) {
    throw new UpstreamError(def.history, `Not enough ${def.title} history for the ${RANGE_WORDS[req.range]} yet: try a longer range, or again once history has been fetched.`);
  }
  const plot = (points: readonly Point[]) => points.map((p) => ({ t: p.t, v: p.v * def.factor }));
  const series: LineSeries[] = [];
  const markers: Marker[] = [];
  const data: Record<string, unknown> = {};
  if (req.metric === 'hashrate') {
    const daily = dailyMean(all);
    const sma30 = sma(daily, 30).filter((p) => p.t >= fromSec);
    const sma60 = sma(daily, 60).filter((p) => p.t >= fromSec);
    series.push({ label: 'Daily estimate', points: plot(daily.filter((p) => p.t >= fromSec)), color: COLORS.primary, width: 2 });
    if (sma30.length) series.push({ label: '30-day average', points: plot(sma30), color: COLORS.secondary, width: 5 });
    if (sma60.length) series.push({ label: '60-day average', points: plot(sma60), color: COLORS.tertiary, width: 5 });
    data.sma30 = sma30.at(-1)?.v;
    data.sma60 = sma60.at(-1)?.v;
  } else {
    series.push({ label: def.title, points: plot(inRange), color: COLORS.primary, stepped: def.stepped, fill: true });
  }
  if (req.metric === 'difficulty') {
    const marks = retargets(all, fromSec);
    markers.push(...marks.map((m) => ({ ...m, v: m.v * def.factor, label: marks.length <= 12 ? m.label : undefined })));
    data.adjustments = marks.length;
  }

  const title = `${def.title} · ${RANGE_WORDS[req.range]}`;
  const png = renderChart({
    kind: 'line',
    title: def.title,
    subtitle: `${def.unit} · ${RANGE_WORDS[req.range]} · latest ${def.text(newest.v)}`,
    source: `Source: ${loaded.sources.join(', ')}${loaded.origin === 'store' ? ' (history stored by hashwatch)' : ''}`,
    generatedAtMs: req.now,
    fromSec,
    toSec,
    yTitle: def.unit,
    formatY: def.axis,
    series,
    markers,
  });
  const extras = req.metric === 'difficulty' ? ` · ${plural(markers.length, 'adjustment')}` : '';
  const ribbons = req.metric === 'hashrate' && data.sma30 !== undefined && data.sma60 !== undefined
    ? ` · 30-day avg ${fmtHashrate(data.sma30 as number)} ${(data.sma30 as number) < (data.sma60 as number) ? 'below' : 'above'} 60-day avg ${fmtHashrate(data.sma60 as number)}`
    : '';
  const lastChange = def.stepped ? retargets(all, -Infinity).at(-1) : undefined;
  const current = lastChange
    ? `Current ${def.text(newest.v)} (since the retarget of ${date(lastChange.t * 1000)})`
    : `Latest ${req.metric === 'hashrate' ? 'daily estimate ' : ''}${def.text(newest.v)} (${date(newest.t * 1000)})`;
  // Hashrate points are daily estimates: their peak is not /hashrate's all-time high, which is the
  // 7-day average's. Naming both keeps the two answers from contradicting each other.
  const [low, high] = req.metric === 'hashrate' ? ['daily low', 'daily peak'] : ['low', 'high'];
  const summary = `${current} · ${low} ${def.text(range.low.v)} (${date(range.low.t * 1000)}) · ${high} ${def.text(range.high.v)} (${date(range.high.t * 1000)})${extras}${ribbons}`;
  const first = inRange[0]!;
  return {
    chart: {
      png,
      filename: filename(req.metric, req.range),
      alt: `Line chart of ${def.title} in ${def.unit}, ${RANGE_WORDS[req.range]} (${date(fromSec * 1000)} to ${date(toSec * 1000)}). ${summary}.`,
    },
    title,
    summary,
    footer: footerOf(loaded, req.now, newest.t, def.stepped === true),
    notes: loaded.notes,
    tone: latest.v > first.v ? 'up' : latest.v < first.v ? 'down' : 'neutral',
    data: {
      metric: req.metric, range: req.range, unit: def.history, origin: loaded.origin, points: inRange.length,
      latest: newest.v, latestSec: newest.t, low: range.low.v, lowSec: range.low.t, high: range.high.v, highSec: range.high.t, ...data,
    },
  };
}

const TOP_POOLS = 8;

async function poolsChart(req: ChartRequest): Promise<BuiltChart> {
  const window = POOL_WINDOW[req.range];
  const stats = await req.market.pools(window);
  const total = stats.value.blockCount || stats.value.pools.reduce((a, p) => a + p.blockCount, 0);
  if (!(total > 0)) throw new UpstreamError('pools', `No blocks reported for the ${RANGE_WORDS[req.range]}.`);
  const isUnknown = (p: { slug: string; name: string }) => p.slug === 'unknown' || /^unknown$/i.test(p.name);
  const known = stats.value.pools.filter((p) => !isUnknown(p)).sort((a, b) => b.blockCount - a.blockCount);
  const unknownBlocks = stats.value.pools.filter(isUnknown).reduce((a, p) => a + p.blockCount, 0);
  const share = (blocks: number) => (blocks / total) * 100;
  const bars: { label: string; value: number; color: string }[] = known.slice(0, TOP_POOLS).map((p, i) => ({ label: p.name, value: share(p.blockCount), color: POOL_PALETTE[i % POOL_PALETTE.length]! }));
  const othersBlocks = known.slice(TOP_POOLS).reduce((a, p) => a + p.blockCount, 0);
  if (othersBlocks > 0) bars.push({ label: `Others (${known.length - TOP_POOLS})`, value: share(othersBlocks), color: COLORS.muted });
  if (unknownBlocks > 0) bars.push({ label: 'Unknown', value: share(unknownBlocks), color: COLORS.unknown });
  const top3 = known.slice(0, 3).reduce((a, p) => a + share(p.blockCount), 0);
  const topPool = known[0];
  const png = renderChart({
    kind: 'bar',
    title: 'Mining pools',
    subtitle: `Share of the ${int(total)} blocks found · ${RANGE_WORDS[req.range]}`,
    source: `Source: ${stats.source}`,
    generatedAtMs: req.now,
    xTitle: '% of blocks',
    formatX: (v) => `${v.toFixed(1)} %`,
    bars,
  });
  const summary = [
    topPool ? `Largest: ${topPool.name} ${pct(share(topPool.blockCount))}` : undefined,
    `top 3 together ${pct(top3)} of ${int(total)} blocks`,
    unknownBlocks > 0 ? `Unknown ${pct(share(unknownBlocks))}` : undefined,
  ].filter(Boolean).join(' · ');
  return {
    chart: {
      png,
      filename: filename('pools', req.range),
      alt: `Bar chart of mining pools by share of blocks found, ${RANGE_WORDS[req.range]}. ${summary}.`,
    },
    title: `Mining pools · ${RANGE_WORDS[req.range]}`,
    summary,
    footer: footerFor([{ what: 'pool stats', sourced: stats }], req.now),
    notes: [],
    tone: 'neutral',
    data: { metric: 'pools', range: req.range, window, blocks: total, shares: bars.map((b) => ({ name: b.label, percent: b.value })) },
  };
}

/** Loads the data, renders the PNG and writes the words around it. Throws UpstreamError when there is nothing to draw. */
export async function buildChart(req: ChartRequest): Promise<BuiltChart> {
  return req.metric === 'pools' ? poolsChart(req) : lineChart({ ...req, metric: req.metric });
}
