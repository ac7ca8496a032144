/**
 * Keeps the snapshot table filled: a one-off back-fill of a year of daily points from mempool's
 * history endpoints (so a 90-day chart exists minutes after installation), and live points
 * recorded as the bot runs. Both only add: a day that already has a point is never overwritten by
 * the back-fill, so live observations survive a restart.
 */
import type { Logger } from 'pino';
import { hashprice, feeShare } from '../core/metrics/hashprice.ts';
import type { Point } from '../core/metrics/history.ts';
import type { Provenance } from '../core/freshness.ts';
import { loadHashpriceInputs } from '../data/hashprice-inputs.ts';
import type { Market } from '../core/market.ts';
import { snapshotSlot, type SnapshotRepo, type SnapshotRow } from '../store/snapshots.ts';
import { stepAtMidnights, utcDay } from './daily.ts';
import { historyFromMarket } from './from-market.ts';
import { DAY_SEC, HISTORY_DAYS, HISTORY_METRICS, type HistoryMetric } from './metrics.ts';

type SnapshotWriter = Pick<SnapshotRepo, 'upsertMany' | 'atOrBefore'>;

export interface BackfillOptions {
  market: Market;
  snapshots: SnapshotWriter;
  logger: Logger;
  /** Milliseconds since the epoch (injected for tests). */
  now: number;
}

const sourcesOf = (provenance: readonly Provenance[]) => [...new Set(provenance.map((p) => p.sourced.source))].join(' + ');

/**
 * UTC days strictly between the window's first day and today with no stored point: one indexed
 * look-up per day, since a year of live snapshots can be far too many rows to read at start-up.
 */
function missingDays(snapshots: SnapshotWriter, metric: HistoryMetric, fromSec: number, nowSec: number): Set<number> {
  const missing = new Set<number>();
  for (let day = utcDay(fromSec) + 1; day < utcDay(nowSec); day++) {
    const last = snapshots.atOrBefore(metric, (day + 1) * DAY_SEC - 1);
    if (!last || utcDay(last.tsSec) !== day) missing.add(day);
  }
  return missing;
}

/**
 * Daily points for the window (historyFromMarket already gives one mean per UTC day, at 00:00);
 * difficulty gets its value at each midnight plus the exact retargets.
 */
function dailyPoints(metric: HistoryMetric, points: Point[], fromSec: number, nowSec: number): Point[] {
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
  for (const metric of HISTORY_METRICS) {
    try {
      const missing = missingDays(snapshots, metric, fromSec, nowSec);
      if (missing.size === 0) continue;
      const history = await historyFromMarket(market, metric, '1y');
      const source = sourcesOf(history.provenance);
      const rows: SnapshotRow[] = dailyPoints(metric, history.points, fromSec, nowSec)
        .filter((p) => missing.has(utcDay(p.t)) || utcDay(p.t) === utcDay(fromSec) || utcDay(p.t) === utcDay(nowSec))
        .filter((p) => Number.isFinite(p.v))
        .map((p) => ({ metric, tsSec: Math.round(p.t), value: p.v, source }));
      // The edge days may hold live points already: add to them, never overwrite one.
      const fresh = rows.filter((r) => snapshots.atOrBefore(metric, r.tsSec)?.tsSec !== r.tsSec);
      if (fresh.length) snapshots.upsertMany(fresh);
      written += fresh.length;
      logger.info({ metric, written: fresh.length, missingDays: missing.size }, 'history back-filled');
    } catch (err) {
      logger.warn({ metric, err: err instanceof Error ? err.message : String(err) }, 'history back-fill failed for this metric');
    }
  }
  return { written };
}

/**
 * Records the live values as of now (one row per metric). A figure built on a stale input is
 * skipped rather than stored under a new timestamp it does not describe.
 */
export async function recordSnapshot({ market, snapshots, logger, now }: BackfillOptions): Promise<{ written: number }> {
  const tsSec = snapshotSlot(now / 1000);
  const rows: SnapshotRow[] = [];
  const fresh = (items: readonly Provenance[]) => items.length > 0 && items.every((p) => !p.sourced.stale);
  try {
    const inputs = await loadHashpriceInputs(market);
    const feesKnown = inputs.provenance.some((p) => p.what.startsWith('fees'));
    const difficultyFrom = inputs.provenance.filter((p) => p.what === 'block tip' || p.what === 'difficulty');
    const priceFrom = inputs.provenance.filter((p) => p.what === 'price');
    if (fresh(difficultyFrom)) rows.push({ metric: 'difficulty', tsSec, value: inputs.difficulty, source: sourcesOf(difficultyFrom) });
    if (fresh(priceFrom)) rows.push({ metric: 'price_usd', tsSec, value: inputs.priceUsd, source: sourcesOf(priceFrom) });
    if (feesKnown && fresh(inputs.provenance)) {
      const hp = hashprice(inputs);
      const source = sourcesOf(inputs.provenance);
      rows.push(
        { metric: 'hashprice_usd', tsSec, value: hp.usdPerPhDay, source },
        { metric: 'hashprice_btc', tsSec, value: hp.btcPerPhDay, source },
        { metric: 'fee_share', tsSec, value: feeShare(inputs.subsidyBtc, inputs.avgFeesBtc) * 100, source },
      );
    }
  } catch (err) {
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'live snapshot: hashprice inputs unavailable');
  }
  try {
    const network = await market.network();
    if (!network.stale && network.value.hashrate > 0) {
      rows.push({ metric: 'hashrate', tsSec, value: network.value.hashrate, source: network.source });
    }
  } catch (err) {
    logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'live snapshot: hashrate unavailable');
  }
  if (rows.length) snapshots.upsertMany(rows);
  return { written: rows.length };
}
