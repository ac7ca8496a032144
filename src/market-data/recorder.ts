/**
 * The one writer of the metric_snapshots table. Live rows come from the headline each alert poll
 * builds (one row per catalog metric, stamped with its 10-minute slot); the start-up back-fill
 * hands its daily points from upstream history to the same table through recordHistory.
 */
import { CATALOG, METRIC_IDS, type MetricEntry, type MetricId } from '../core/metrics/catalog.ts';
import type { Headline } from '../core/headline.ts';
import { snapshotSlot, type SnapshotRepo, type SnapshotRow } from '../store/snapshots.ts';

export type SnapshotWriter = Pick<SnapshotRepo, 'upsertMany'>;

/** A point of a metric's history, as the back-fill found it upstream. */
export interface HistoryRow {
  metric: MetricId;
  tsSec: number;
  value: number;
  source: string;
}

/**
 * Every metric the headline can vouch for, as snapshot rows, so change rules (and charts) have a
 * history to look back on. A headline built on a stale input writes nothing: an old value must not
 * be stored under a new timestamp.
 */
export function headlineRows(h: Headline): SnapshotRow[] {
  if (h.stale) return [];
  const tsSec = snapshotSlot(h.atMs / 1000);
  const source = h.sources.join(', ') || 'headline';
  return METRIC_IDS.flatMap((id) => {
    const entry: MetricEntry = CATALOG[id];
    const v = entry.read(h);
    return v === undefined || !Number.isFinite(v)
      ? []
      : [{ metric: entry.snapshot, tsSec, value: v, source: entry.sourceOf?.(h) ?? source }];
  });
}

/** Records the headline's metrics; the caller's transaction, if any, covers the write. Returns the rows written. */
export async function recordHeadline(snapshots: SnapshotWriter, h: Headline): Promise<number> {
  const rows = headlineRows(h);
  if (rows.length) await snapshots.upsertMany(rows);
  return rows.length;
}

/** Records back-filled history under each metric's snapshot key. */
export async function recordHistory(snapshots: SnapshotWriter, rows: readonly HistoryRow[]): Promise<number> {
  if (rows.length) await snapshots.upsertMany(rows.map((r) => ({ ...r, metric: CATALOG[r.metric].snapshot })));
  return rows.length;
}
