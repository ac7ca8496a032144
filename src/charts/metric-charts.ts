/**
 * What each `/chart` metric draws: which stored series, in which unit, with which extras (hash
 * ribbons on hashrate, retarget markers on difficulty), plus the text that goes with the picture.
 */
import { age, date, dateTime, hashrate as fmtHashrate, int, pct, pctChange, usd } from '../core/format.ts';
import { footerFor } from '../core/freshness.ts';
import { BLOCKS_PER_DAY } from '../core/metrics/constants.ts';
import { sma } from '../core/metrics/hashrate.ts';
import { lowHigh, type Point } from '../core/metrics/history.ts';
import { weeklyConcentration } from '../core/metrics/pool-history.ts';
import { UNKNOWN_POOL } from '../core/metrics/pools.ts';
import type { ReplyChart, Tone } from '../core/reply.ts';
import { UpstreamError, type HistoryPeriod, type Market, type PoolWindow } from '../core/market.ts';
import { dailyMean, dayPrices, utcDay } from '../market-data/daily.ts';
import { CATALOG, CHART_NAMES, num, sig, type ChartSettings, type HistoryMetricId, type MetricEntry } from '../core/metrics/catalog.ts';
import { DAY_SEC } from '../market-data/metrics.ts';
import type { SnapshotReader } from '../core/services.ts';
import { loadSeries, type LoadedSeries } from '../market-data/series.ts';
import { renderChart, type LineSeries, type Marker } from './render.ts';
import { COLORS, POOL_PALETTE } from './theme.ts';
import { plural } from '../core/plural.ts';

/** The names `/chart` accepts: the catalog's charted metrics, then the charts computed on request (revenue, pools). */
export const CHART_METRICS = [...(Object.keys(CHART_NAMES) as (keyof typeof CHART_NAMES)[]), 'revenue', 'pools'] as const;
export type ChartMetric = (typeof CHART_METRICS)[number];
/** 24h is for pools only (mempool's /v1/mining/pools/24h); a day is too short for the daily lines. */
export const CHART_RANGES = ['24h', '7d', '30d', '90d', '1y'] as const;
export type ChartRange = (typeof CHART_RANGES)[number];
export const LINE_CHART_RANGES = ['7d', '30d', '90d', '1y'] as const satisfies readonly ChartRange[];

const RANGE_DAYS: Record<ChartRange, number> = { '24h': 1, '7d': 7, '30d': 30, '90d': 90, '1y': 365 };
const RANGE_WORDS: Record<ChartRange, string> = {
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
  '30d': 'last 30 days',
  '90d': 'last 90 days',
  '1y': 'last 12 months',
};
const POOL_WINDOW: Record<ChartRange, PoolWindow> = { '24h': '24h', '7d': '1w', '30d': '1m', '90d': '3m', '1y': '1y' };
const HISTORY_PERIOD: Record<ChartRange, HistoryPeriod> = { '24h': '1w', '7d': '1w', '30d': '1m', '90d': '3m', '1y': '1y' };

export interface ChartRequest {
  metric: ChartMetric;
  range: ChartRange;
  market: Market;
  snapshots?: SnapshotReader;
  /** Milliseconds since the epoch. */
  now: number;
  /** IANA zone the newest point's time is shown in (the asker's /settings); UTC when absent. */
  zone?: string;
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

type LineMetric = keyof typeof CHART_NAMES;

function lineDef(name: LineMetric): LineDef {
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
function footerOf(loaded: LoadedSeries, now: number, newestSec: number, stepped: boolean, zone?: string): string[] {
  if (loaded.origin === 'market' && stepped) return footerFor(loaded.provenance, now);
  const head =
    loaded.origin === 'store' ? [`Source: ${loaded.sources.join(', ')} (history stored by hashwatch)`] : footerFor(loaded.provenance, now);
  return [...head, `Newest point ${dateTime(newestSec * 1000, zone)} (${age(newestSec * 1000, now)})`];
}

const filename = (metric: ChartMetric, range: ChartRange) => `hashwatch-${metric}-${range}.png`;

async function lineChart(req: ChartRequest & { metric: LineMetric }): Promise<BuiltChart> {
  const def = lineDef(req.metric);
  const toSec = Math.floor(req.now / 1000);
  const fromSec = toSec - RANGE_DAYS[req.range] * DAY_SEC;
  // Hash ribbons are moving averages of daily values; other lines get ~400 points across the range.
  const bucketSec = req.metric === 'hashrate' ? DAY_SEC : (toSec - fromSec) / 400;
  const loaded = await loadSeries({
    metric: def.history,
    fromSec,
    toSec,
    lookbackDays: def.lookbackDays,
    bucketSec,
    market: req.market,
    snapshots: req.snapshots,
  });
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
    throw new UpstreamError(
      def.history,
      `Not enough ${def.title} history for the ${RANGE_WORDS[req.range]} yet: try a longer range, or again once history has been fetched.`,
    );
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
  const ribbons =
    req.metric === 'hashrate' && data.sma30 !== undefined && data.sma60 !== undefined
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
    footer: footerOf(loaded, req.now, newest.t, def.stepped === true, req.zone),
    notes: loaded.notes,
    tone: latest.v > first.v ? 'up' : latest.v < first.v ? 'down' : 'neutral',
    data: {
      metric: req.metric,
      range: req.range,
      unit: def.history,
      origin: loaded.origin,
      points: inRange.length,
      latest: newest.v,
      latestSec: newest.t,
      low: range.low.v,
      lowSec: range.low.t,
      high: range.high.v,
      highSec: range.high.t,
      ...data,
    },
  };
}

const TOP_POOLS = 8;
/** Lines on the pools-over-time chart: more than five shares on one plot cannot be told apart. */
const TOP_POOL_LINES = 5;
/** Ranges long enough for mempool's weekly shares to draw a line (a 7-day range holds one week). */
const POOL_HISTORY_RANGES: readonly ChartRange[] = ['30d', '90d', '1y'];

/**
 * How the largest pools' weekly shares and the Nakamoto coefficient moved over the range, from
 * mempool's weekly pool index. The pools drawn are the largest of the latest week (Unknown, which
 * is no pool, left out); the coefficient counts every bucket, as /pools does.
 */
async function poolHistoryChart(req: ChartRequest): Promise<BuiltChart> {
  const history = await req.market.poolHistory(HISTORY_PERIOD[req.range]);
  const toSec = Math.floor(req.now / 1000);
  const fromSec = toSec - RANGE_DAYS[req.range] * DAY_SEC;
  const weeks = weeklyConcentration(history.value).filter((w) => w.t >= fromSec);
  const first = weeks[0];
  const last = weeks.at(-1);
  if (!first || !last || weeks.length < 2)
    throw new UpstreamError('pool-history', `Not enough weekly pool history for the ${RANGE_WORDS[req.range]}.`);
  const top = last.shares
    .filter((s) => s.name !== UNKNOWN_POOL)
    .slice(0, TOP_POOL_LINES)
    .map((s) => s.name);
  const shareIn = (w: (typeof weeks)[number], name: string) => w.shares.find((s) => s.name === name)?.share ?? 0;
  const series: LineSeries[] = top.map((name, i) => ({
    label: name,
    points: weeks.map((w) => ({ t: w.t, v: shareIn(w, name) * 100 })),
    color: POOL_PALETTE[i % POOL_PALETTE.length]!,
    width: 4,
  }));
  const counted = weeks.filter((w) => w.nakamoto !== undefined);
  series.push({
    label: 'Nakamoto coefficient (right)',
    points: counted.map((w) => ({ t: w.t, v: w.nakamoto! })),
    color: COLORS.text,
    width: 3,
    stepped: true,
    right: true,
    dashed: true,
  });
  const maxNakamoto = Math.max(1, ...counted.map((w) => w.nakamoto!));
  const png = renderChart({
    kind: 'line',
    title: 'Mining pools over time',
    subtitle: `Weekly share of blocks, largest pools of the latest week · ${RANGE_WORDS[req.range]}`,
    source: `Source: ${history.source} (weekly pool index)`,
    generatedAtMs: req.now,
    fromSec,
    toSec,
    yTitle: "% of the week's blocks",
    formatY: (v) => `${num(v, 0)} %`,
    series,
    right: { title: 'Nakamoto coefficient', format: (v) => (Number.isInteger(v) ? String(v) : ''), min: 0, max: maxNakamoto + 1 },
  });
  const nk = (w: (typeof weeks)[number]) => (w.nakamoto === undefined ? 'n/a' : String(w.nakamoto));
  const summary = `Largest pool ${first.top1.name} ${pct(first.top1.share * 100)} (week to ${date(first.t * 1000)}) → ${last.top1.name} ${pct(last.top1.share * 100)} (week to ${date(last.t * 1000)}) · Nakamoto coefficient ${nk(first)} → ${nk(last)}`;
  return {
    chart: {
      png,
      filename: filename('pools', req.range),
      alt: `Line chart of the weekly share of blocks of ${top.join(', ')}, with the Nakamoto coefficient, ${RANGE_WORDS[req.range]} (${weeks.length} weeks). ${summary}.`,
    },
    title: `Mining pools over time · ${RANGE_WORDS[req.range]}`,
    summary,
    footer: [
      ...footerFor([{ what: 'weekly pool history', sourced: history }], req.now),
      `Newest week ended ${dateTime(last.t * 1000)} (${age(last.t * 1000, req.now)})`,
    ],
    notes: [],
    tone: 'neutral',
    data: {
      // The /pools window covering the same period, so /chart pools 1m and /pools 1m name one span.
      metric: 'pools',
      range: req.range,
      window: POOL_WINDOW[req.range],
      weeks: weeks.length,
      pools: top,
      first: { t: first.t, top1: first.top1, nakamoto: first.nakamoto ?? null },
      last: { t: last.t, top1: last.top1, nakamoto: last.nakamoto ?? null },
      nakamoto: weeks.map((w) => ({ t: w.t, v: w.nakamoto ?? null })),
    },
  };
}

async function poolsChart(req: ChartRequest): Promise<BuiltChart> {
  const window = POOL_WINDOW[req.range];
  const stats = await req.market.pools(window);
  const total = stats.value.blockCount || stats.value.pools.reduce((a, p) => a + p.blockCount, 0);
  if (!(total > 0)) throw new UpstreamError('pools', `No blocks reported for the ${RANGE_WORDS[req.range]}.`);
  const isUnknown = (p: { slug: string; name: string }) => p.slug === 'unknown' || /^unknown$/i.test(p.name);
  const known = stats.value.pools.filter((p) => !isUnknown(p)).sort((a, b) => b.blockCount - a.blockCount);
  const unknownBlocks = stats.value.pools.filter(isUnknown).reduce((a, p) => a + p.blockCount, 0);
  const share = (blocks: number) => (blocks / total) * 100;
  const bars: { label: string; value: number; color: string }[] = known
    .slice(0, TOP_POOLS)
    .map((p, i) => ({ label: p.name, value: share(p.blockCount), color: POOL_PALETTE[i % POOL_PALETTE.length]! }));
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
  ]
    .filter(Boolean)
    .join(' · ');
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

/** One day of the security budget: what miners earned in USD, split into the subsidy and the fees. */
export interface RevenueDay {
  t: number;
  subsidyUsd: number;
  feesUsd: number;
}

/**
 * Daily miner revenue from mempool's per-bucket block averages (rewards include the fees; buckets
 * run from 5 minutes to a day depending on the period): each UTC day's mean reward per block, split
 * into subsidy and fees, × 144 blocks a day (the target rate, as /security counts) × the day's mean
 * price linked to those blocks. Rewards and fees come from two endpoints over the same buckets, so
 * they are joined on the bucket's time; a bucket only one of them has is left out rather than drawn
 * as zero fees, and a day without a price is left out rather than drawn as $0.
 */
export function revenueDays(
  rewards: readonly { timestampSec: number; avgRewardsSats: number; usd?: number }[],
  fees: readonly { timestampSec: number; avgFeesSats: number }[],
): RevenueDay[] {
  const feesAt = new Map(fees.map((f) => [f.timestampSec, f.avgFeesSats]));
  const subsidyBtc: Point[] = [];
  const feesBtc: Point[] = [];
  const linkedUsd: Point[] = [];
  for (const r of rewards) {
    const feeSats = feesAt.get(r.timestampSec);
    if (feeSats === undefined) continue;
    subsidyBtc.push({ t: r.timestampSec, v: Math.max(0, r.avgRewardsSats - feeSats) / 1e8 });
    feesBtc.push({ t: r.timestampSec, v: feeSats / 1e8 });
    if (r.usd !== undefined && r.usd > 0) linkedUsd.push({ t: r.timestampSec, v: r.usd });
  }
  const priceOf = dayPrices([], linkedUsd);
  const feesByDay = new Map(dailyMean(feesBtc).map((p) => [utcDay(p.t), p.v]));
  return dailyMean(subsidyBtc).flatMap((day) => {
    const usd = priceOf(utcDay(day.t) * DAY_SEC);
    const fee = feesByDay.get(utcDay(day.t));
    if (usd === undefined || fee === undefined) return [];
    return [{ t: day.t, subsidyUsd: day.v * BLOCKS_PER_DAY * usd, feesUsd: fee * BLOCKS_PER_DAY * usd }];
  });
}

const millionsUsd = (v: number) => `$${sig(v / 1e6)}M`;

async function revenueChart(req: ChartRequest): Promise<BuiltChart> {
  const period = HISTORY_PERIOD[req.range];
  const [rewards, fees] = await Promise.all([req.market.rewardHistory(period), req.market.feeHistory(period)]);
  const toSec = Math.floor(req.now / 1000);
  const fromSec = toSec - RANGE_DAYS[req.range] * DAY_SEC;
  const days = revenueDays(rewards.value, fees.value).filter((d) => d.t >= fromSec);
  const latest = days.at(-1);
  if (!latest || days.length < 2) throw new UpstreamError('revenue', `Not enough miner revenue history for the ${RANGE_WORDS[req.range]}.`);
  const total = (d: RevenueDay) => d.subsidyUsd + d.feesUsd;
  const feeShare = (d: RevenueDay) => (d.feesUsd / total(d)) * 100;
  const maxFees = days.reduce((a, d) => (feeShare(d) > feeShare(a) ? d : a));
  const png = renderChart({
    kind: 'line',
    title: 'Daily miner revenue',
    subtitle: `USD per day (144 blocks × the day's average reward) · ${RANGE_WORDS[req.range]}`,
    source: `Source: ${rewards.source}`,
    generatedAtMs: req.now,
    fromSec,
    toSec,
    yTitle: 'USD per day',
    formatY: millionsUsd,
    stacked: true,
    series: [
      { label: 'Subsidy', points: days.map((d) => ({ t: d.t, v: d.subsidyUsd })), color: COLORS.primary, width: 2 },
      { label: 'Fees', points: days.map((d) => ({ t: d.t, v: d.feesUsd })), color: COLORS.secondary, width: 2 },
    ],
  });
  const summary = `Latest ${usd(total(latest))} a day (${date(latest.t * 1000)}): subsidy ${usd(latest.subsidyUsd)}, fees ${usd(latest.feesUsd)} (${pct(feeShare(latest), 2)}) · highest fee share ${pct(feeShare(maxFees), 2)} (${date(maxFees.t * 1000)})`;
  return {
    chart: {
      png,
      filename: filename('revenue', req.range),
      alt: `Stacked area chart of daily miner revenue in USD, subsidy below and fees above, ${RANGE_WORDS[req.range]} (${date(fromSec * 1000)} to ${date(toSec * 1000)}). ${summary}.`,
    },
    title: `Daily miner revenue · ${RANGE_WORDS[req.range]}`,
    summary,
    footer: [
      ...footerFor(
        [
          { what: 'block rewards', sourced: rewards },
          { what: 'block fees', sourced: fees },
        ],
        req.now,
      ),
      `Newest point ${dateTime(latest.t * 1000)} (${age(latest.t * 1000, req.now)})`,
    ],
    notes: [],
    tone: 'neutral',
    data: {
      metric: 'revenue',
      range: req.range,
      points: days.length,
      latest: { t: latest.t, subsidyUsd: latest.subsidyUsd, feesUsd: latest.feesUsd, feeSharePercent: feeShare(latest) },
      maxFeeShare: { t: maxFees.t, percent: feeShare(maxFees) },
    },
  };
}

/** Loads the data, renders the PNG and writes the words around it. Throws UpstreamError when there is nothing to draw. */
export async function buildChart(req: ChartRequest): Promise<BuiltChart> {
  if (req.metric === 'pools') {
    if (!POOL_HISTORY_RANGES.includes(req.range)) return poolsChart(req);
    try {
      return await poolHistoryChart(req);
    } catch (err) {
      // The weekly index is the better picture, but the window's shares still answer the question.
      if (!(err instanceof UpstreamError)) throw err;
      const built = await poolsChart(req);
      return {
        ...built,
        notes: [...built.notes, `Weekly pool history unavailable (${err.message}); showing the shares of the whole range instead.`],
      };
    }
  }
  if (req.metric === 'revenue') return revenueChart(req);
  return lineChart({ ...req, metric: req.metric });
}
