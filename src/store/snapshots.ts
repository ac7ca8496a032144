/**
 * Metric snapshots: one value per metric per timestamp, shared by charts (back-filled history)
 * and alerts (change-over-window rules). Re-writing the same (metric, tsSec) replaces the value.
 */
import type { Database } from 'better-sqlite3';
import type { Sync } from './interim.ts';

export type SnapshotRow = { metric: string; tsSec: number; value: number; source: string };

/**
 * Live snapshots are kept one per metric per 10 minutes (the last value in the slot wins): ~1,150
 * rows a day, not 11,500. Every live writer (alert polls, chart snapshots) stamps rows with the
 * slot, so two writers of the same metric replace each other instead of doubling the table.
 */
const SNAPSHOT_SLOT_SEC = 600;
export const snapshotSlot = (tsSec: number): number => Math.floor(tsSec / SNAPSHOT_SLOT_SEC) * SNAPSHOT_SLOT_SEC;

export interface SnapshotRepo {
  upsertMany(rows: SnapshotRow[]): Promise<void>;
  /** Rows with fromSec <= tsSec <= toSec, oldest first. */
  range(metric: string, fromSec: number, toSec: number): Promise<SnapshotRow[]>;
  latest(metric: string): Promise<SnapshotRow | undefined>;
  /** The last row at or before tsSec (what the metric was worth then). */
  atOrBefore(metric: string, tsSec: number): Promise<SnapshotRow | undefined>;
}

const COLUMNS = 'metric, ts_sec AS tsSec, value, source';

export function snapshotRepo(db: Database): Sync<SnapshotRepo> {
  const upsert = db.prepare(
    `INSERT INTO metric_snapshots (metric, ts_sec, value, source) VALUES (@metric, @tsSec, @value, @source)
     ON CONFLICT (metric, ts_sec) DO UPDATE SET value = excluded.value, source = excluded.source`,
  );
  const upsertAll = db.transaction((rows: SnapshotRow[]) => {
    for (const r of rows) upsert.run(r);
  });
  const range = db.prepare(`SELECT ${COLUMNS} FROM metric_snapshots WHERE metric = ? AND ts_sec BETWEEN ? AND ? ORDER BY ts_sec`);
  const latest = db.prepare(`SELECT ${COLUMNS} FROM metric_snapshots WHERE metric = ? ORDER BY ts_sec DESC LIMIT 1`);
  const atOrBefore = db.prepare(`SELECT ${COLUMNS} FROM metric_snapshots WHERE metric = ? AND ts_sec <= ? ORDER BY ts_sec DESC LIMIT 1`);
  return {
    upsertMany(rows) {
      for (const r of rows) {
        if (!Number.isFinite(r.value) || !Number.isInteger(r.tsSec)) {
          throw new RangeError(`snapshot ${r.metric}@${r.tsSec}: value and tsSec must be finite (tsSec whole seconds)`);
        }
      }
      upsertAll(rows);
    },
    range: (metric, fromSec, toSec) => range.all(metric, fromSec, toSec) as SnapshotRow[],
    latest: (metric) => latest.get(metric) as SnapshotRow | undefined,
    atOrBefore: (metric, tsSec) => atOrBefore.get(metric, tsSec) as SnapshotRow | undefined,
  };
}
