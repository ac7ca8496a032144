/** The one chart the daily digest carries: USD hashprice over the last 30 days. */
import type { ReplyChart } from '../core/reply.ts';
import type { Market } from '../sources/types.ts';
import type { SnapshotReader } from '../market-data/series.ts';
import { buildChart } from './metric-charts.ts';

/** Throws UpstreamError when no hashprice history can be had; the digest should then go out without it. */
export async function renderDigestChart({ market, snapshots, now }: { market: Market; snapshots?: SnapshotReader; now: number }): Promise<ReplyChart> {
  const built = await buildChart({ metric: 'hashprice', range: '30d', market, snapshots, now });
  return built.chart;
}
