/**
 * The series a chart draws: from the snapshot table when it covers the range, otherwise from the
 * market's history endpoints; stored points are still shown (and labelled) when upstream is down.
 * Either way the series is thinned to the last point of each time bucket (~400 per chart). The
 * store is read with one range query and sampled here: a look-up per bucket was ~400 round trips
 * per chart, which on a networked PostgreSQL cost more than the rows (one per metric per 10-minute
 * slot, ~53,000 for a year of live snapshots).
 */
import type { Provenance } from '../core/freshness.ts';
import type { Point } from '../core/metrics/history.ts';
import { UpstreamError, type Market } from '../core/market.ts';
import type { SnapshotReader } from '../core/services.ts';
import { historyFromMarket } from './from-market.ts';
import { periodCovering } from './history.ts';
import { CATALOG, type HistoryMetricId } from '../core/metrics/catalog.ts';
import { DAY_SEC } from './metrics.ts';
import { plural } from '../core/plural.ts';

export interface SeriesRequest {
  metric: HistoryMetricId;
  fromSec: number;
  toSec: number;
  /** Extra days before fromSec the caller needs (moving averages, the step value in force). */
  lookbackDays?: number;
  /** Keep the last point of each bucket of this many seconds (default: the span / 400). */
  bucketSec?: number;
  market: Market;
  snapshots?: SnapshotReader;
}

export interface LoadedSeries {
  /** Oldest first, from fromSec − lookback to toSec. */
  points: Point[];
  origin: 'store' | 'market';
  /** Distinct upstream names behind the points, e.g. ["mempool.space"]. */
  sources: string[];
  /** For footerFor when the points came straight from the market. */
  provenance: Provenance[];
  /** Caveats a reader should see, e.g. that stored points stand in for an unreachable upstream. */
  notes: string[];
}

/** Stored points are trusted for a range when they start near its beginning and reach its end. */
function covers(points: readonly Point[], fromSec: number, toSec: number): boolean {
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last || points.length < 2) return false;
  const slack = Math.max(DAY_SEC, 0.1 * (toSec - fromSec));
  return first.t <= fromSec + slack && last.t >= toSec - 2 * DAY_SEC;
}

/** Bucket ends aligned to multiples of the bucket (UTC midnights for day buckets), the last one at toSec. */
function bucketEnds(startSec: number, toSec: number, bucketSec: number): number[] {
  const ends: number[] = [];
  for (let e = (Math.floor(startSec / bucketSec) + 1) * bucketSec; e < toSec; e += bucketSec) ends.push(e);
  ends.push(toSec);
  return ends;
}

/** The last stored row of each bucket: bucket k holds (ends[k-1], ends[k]], the first (startSec − 1, ends[0]]. */
async function sampleStore(reader: SnapshotReader, metric: HistoryMetricId, startSec: number, toSec: number, bucketSec: number) {
  // Stored times are whole seconds: after startSec − 1 means from floor(startSec).
  const rows = await reader.range(CATALOG[metric].snapshot, Math.floor(startSec), toSec);
  const ends = bucketEnds(startSec, toSec, bucketSec);
  const points: Point[] = [];
  const sources = new Set<string>();
  let k = 0;
  rows.forEach((row, i) => {
    while (ends[k]! < row.tsSec) k++;
    const next = rows[i + 1];
    if (next && next.tsSec <= ends[k]!) return; // a later row of the same bucket stands for it
    points.push({ t: row.tsSec, v: row.value });
    // One source or several: "a + b" from the back-fill, "a, b" from the alert engine's headline.
    for (const s of row.source.split(/ \+ |, /)) sources.add(s);
  });
  return { points, sources: [...sources] };
}

/** The last point of each bucket (same buckets as sampleStore). */
export function thin(points: readonly Point[], startSec: number, toSec: number, bucketSec: number): Point[] {
  const sorted = points.filter((p) => p.t >= startSec && p.t <= toSec).sort((a, b) => a.t - b.t);
  const out: Point[] = [];
  for (const p of sorted) {
    const last = out.at(-1);
    const bucket = (t: number) => Math.ceil(t / bucketSec);
    if (last && bucket(last.t) === bucket(p.t)) out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

export async function loadSeries(req: SeriesRequest): Promise<LoadedSeries> {
  const start = req.fromSec - (req.lookbackDays ?? 0) * DAY_SEC;
  const bucketSec = Math.max(1, Math.round(req.bucketSec ?? (req.toSec - start) / 400));
  const { points: stored, sources: storedSources } = req.snapshots
    ? await sampleStore(req.snapshots, req.metric, start, req.toSec, bucketSec)
    : { points: [], sources: [] };
  if (
    covers(
      stored.filter((p) => p.t >= req.fromSec),
      req.fromSec,
      req.toSec,
    )
  ) {
    return { points: stored, origin: 'store', sources: storedSources, provenance: [], notes: [] };
  }
  try {
    const days = Math.ceil((req.toSec - start) / DAY_SEC);
    const history = await historyFromMarket(req.market, req.metric, periodCovering(days));
    return {
      points: thin(history.points, start, req.toSec, bucketSec),
      origin: 'market',
      sources: [...new Set(history.provenance.map((p) => p.sourced.source))],
      provenance: history.provenance,
      notes: [],
    };
  } catch (err) {
    if (!(err instanceof UpstreamError) || stored.length === 0) throw err;
    return {
      points: stored,
      origin: 'store',
      sources: storedSources,
      provenance: [],
      notes: [`History upstream unavailable (${err.message}); showing the ${plural(stored.length, 'point')} stored so far.`],
    };
  }
}
