/**
 * The series a chart draws: from the snapshot table when it covers the range, otherwise from the
 * market's history endpoints; stored points are still shown (and labelled) when upstream is down.
 */
import type { Provenance } from '../core/freshness.ts';
import type { Point } from '../core/metrics/history.ts';
import { UpstreamError, type Market } from '../sources/types.ts';
import type { SnapshotRepo } from '../store/snapshots.ts';
import { historyFromMarket, periodCovering } from './from-market.ts';
import { DAY_SEC, type HistoryMetric } from './metrics.ts';

export type SnapshotReader = Pick<SnapshotRepo, 'range'>;

export interface SeriesRequest {
  metric: HistoryMetric;
  fromSec: number;
  toSec: number;
  /** Extra days before fromSec the caller needs (moving averages, the step value in force). */
  lookbackDays?: number;
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

export async function loadSeries(req: SeriesRequest): Promise<LoadedSeries> {
  const start = req.fromSec - (req.lookbackDays ?? 0) * DAY_SEC;
  const rows = req.snapshots?.range(req.metric, start, req.toSec) ?? [];
  const stored = rows.map((r) => ({ t: r.tsSec, v: r.value }));
  const storedSources = [...new Set(rows.flatMap((r) => r.source.split(' + ')))];
  if (covers(stored.filter((p) => p.t >= req.fromSec), req.fromSec, req.toSec)) {
    return { points: stored, origin: 'store', sources: storedSources, provenance: [], notes: [] };
  }
  try {
    const days = Math.ceil((req.toSec - start) / DAY_SEC);
    const history = await historyFromMarket(req.market, req.metric, periodCovering(days));
    return {
      points: history.points.filter((p) => p.t >= start && p.t <= req.toSec).sort((a, b) => a.t - b.t),
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
      notes: [`History upstream unavailable (${err.message}); showing the ${stored.length} points stored so far.`],
    };
  }
}
