/**
 * A one-off back-fill of a year of daily points from mempool's history endpoints, so a 90-day
 * chart exists minutes after installation (live points are recorded by the alert poll, see
 * recorder.ts). It only adds: a day that already has a point is never overwritten, so live
 * observations survive a restart.
 */
import type { Logger } from 'pino';
import type { Point } from '../core/metrics/history.ts';
import type { Provenance } from '../core/freshness.ts';
import type { Market } from '../core/market.ts';
import type { SnapshotRepo } from '../store/snapshots.ts';
import { stepAtMidnights, utcDay } from './daily.ts';
import { historyFromMarket } from './from-market.ts';
import { CATALOG, HISTORY_METRIC_IDS, type HistoryMetricId } from '../core/metrics/catalog.ts';
import { DAY_SEC, HISTORY_DAYS } from './metrics.ts';
import { recordHistory, type HistoryRow } from './recorder.ts';

/** What the back-fill needs: look-ups for days already stored, and the recorder's write. */
type BackfillStore = Pick<SnapshotRepo, 'upsertMany' | 'atOrBefore'>;

export interface BackfillOptions {
  market: Market;
  snapshots: BackfillStore;
  logger: Logger;
  /** Milliseconds since the epoch (injected for tests). */
  now: number;
}

const sourcesOf = (provenance: readonly Provenance[]) => [...new Set(provenance.map((p) => p.sourced.source))].join(' + ');

/**
 * UTC days strictly between the window's first day and today with no stored point: one indexed
 * look-up per day, since a year of live snapshots can be far too many rows to read at start-up.
 */
async function missingDays(snapshots: BackfillStore, metric: HistoryMetricId, fromSec: number, nowSec: number): Promise<Set<number>> {
  const missing = new Set<number>();
  for (let day = utcDay(fromSec) + 1; day < utcDay(nowSec); day++) {
    const last = await snapshots.atOrBefore(CATALOG[metric].snapshot, (day + 1) * DAY_SEC - 1);
    if (!last || utcDay(last.tsSec) !== day) missing.add(day);
  }
  return missing;
}

/**
 * Daily points for the window (historyFromMarket already gives one mean per UTC day, at 00:00);
 * difficulty gets its value at each midnight plus the exact retargets.
 */
function dailyPoints(metric: HistoryMetricId, points: Point[], fromSec: number, nowSec: number): Point[] {
  const inWindow = points.filter((p) => utcDay(p.t) >= utcDay(fromSec) && p.t <= nowSec);
  if (metric !== 'difficulty') return inWindow;
  return [...stepAtMidnights(points, fromSec, nowSec), ...inWindow].sort((a, b) => a.t - b.t);
}

/**
 * Writes up to a year of daily points for every metric with missing days. Each metric is fetched
 * and written on its own, so one failing endpoint costs only its own metrics. Never throws: this
 * runs in the background at start-up and a failure only means charts fall back to live history.
 */
export async function backfillHistory({ market, snapshots, logger, now }: BackfillOptions): Promise<{ written: number }> {
  const nowSec = Math.floor(now / 1000);
  const fromSec = nowSec - HISTORY_DAYS * DAY_SEC;
  let written = 0;
  for (const metric of HISTORY_METRIC_IDS) {
    try {
      const missing = await missingDays(snapshots, metric, fromSec, nowSec);
      if (missing.size === 0) continue;
      const history = await historyFromMarket(market, metric, '1y');
      const source = sourcesOf(history.provenance);
      const rows: HistoryRow[] = dailyPoints(metric, history.points, fromSec, nowSec)
        .filter((p) => missing.has(utcDay(p.t)) || utcDay(p.t) === utcDay(fromSec) || utcDay(p.t) === utcDay(nowSec))
        .filter((p) => Number.isFinite(p.v))
        .map((p) => ({ metric, tsSec: Math.round(p.t), value: p.v, source }));
      // The edge days may hold live points already: add to them, never overwrite one.
      const fresh: HistoryRow[] = [];
      for (const r of rows) if ((await snapshots.atOrBefore(CATALOG[metric].snapshot, r.tsSec))?.tsSec !== r.tsSec) fresh.push(r);
      written += await recordHistory(snapshots, fresh);
      logger.info({ metric, snapshot: CATALOG[metric].snapshot, written: fresh.length, missingDays: missing.size }, 'history back-filled');
    } catch (err) {
      logger.warn(
        { metric, snapshot: CATALOG[metric].snapshot, err: err instanceof Error ? err.message : String(err) },
        'history back-fill failed for this metric',
      );
    }
  }
  return { written };
}
