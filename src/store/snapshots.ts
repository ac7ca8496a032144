/**
 * Metric snapshots: one value per metric per timestamp, shared by charts (back-filled history)
 * and alerts (change-over-window rules). Re-writing the same (metric, tsSec) replaces the value.
 */
import { atomically, chunks, type Db, type Engine, rowsPerStatement } from './dialect.ts';

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

const COLUMNS = ['metric', 'ts_sec as tsSec', 'value', 'source'] as const;

export function snapshotRepo(db: Db, engine: Engine): SnapshotRepo {
  const perStatement = rowsPerStatement(engine, 4);
  const upsert = (q: Db, rows: readonly SnapshotRow[]) =>
    q
      .insertInto('metric_snapshots')
      .values(rows.map((r) => ({ metric: r.metric, ts_sec: r.tsSec, value: r.value, source: r.source })))
      .onConflict((oc) =>
        oc.columns(['metric', 'ts_sec']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), source: eb.ref('excluded.source') })),
      )
      .execute();
  const ofMetric = (metric: string) =>
    db
      .selectFrom('metric_snapshots')
      .select([...COLUMNS])
      .where('metric', '=', metric);
  return {
    async upsertMany(rows) {
      for (const r of rows) {
        if (!Number.isFinite(r.value) || !Number.isInteger(r.tsSec)) {
          throw new RangeError(`snapshot ${r.metric}@${r.tsSec}: value and tsSec must be finite (tsSec whole seconds)`);
        }
      }
      if (rows.length === 0) return;
      // PostgreSQL refuses an upsert that touches one row twice: the last of a (metric, tsSec) wins, as it did row by row.
      const last = new Map<string, SnapshotRow>();
      for (const r of rows) last.set(`${r.metric}\u0000${r.tsSec}`, r);
      const unique = [...last.values()];
      if (unique.length <= perStatement) return void (await upsert(db, unique));
      await atomically(db, async (tx) => {
        for (const part of chunks(unique, perStatement)) await upsert(tx, part);
      });
    },
    range: (metric, fromSec, toSec) =>
      ofMetric(metric).where('ts_sec', '>=', fromSec).where('ts_sec', '<=', toSec).orderBy('ts_sec').execute(),
    latest: (metric) => ofMetric(metric).orderBy('ts_sec', 'desc').limit(1).executeTakeFirst(),
    atOrBefore: (metric, tsSec) => ofMetric(metric).where('ts_sec', '<=', tsSec).orderBy('ts_sec', 'desc').limit(1).executeTakeFirst(),
  };
}
