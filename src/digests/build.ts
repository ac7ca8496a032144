/**
 * The digest as posted to channels and DMs, and as /digest shows it on demand: the headline loaded
 * from the market, the pure text of core/digest.ts, and the one chart it carries (USD hashprice
 * over the last 30 days).
 */
import type { CommandContext } from '../core/command.ts';
import { digestReply } from '../core/digest.ts';
import { attribution } from '../core/freshness.ts';
import { DEFAULT_BENCHMARKS } from '../core/metrics/benchmarks.ts';
import type { Reply, ReplyChart } from '../core/reply.ts';
import type { Market } from '../core/market.ts';
import { UpstreamError } from '../core/market.ts';
import type { ChartCache, SnapshotReader } from '../core/services.ts';
import { buildChart } from '../charts/metric-charts.ts';
import { loadHeadlineParts } from '../market-data/headline.ts';

/** Throws UpstreamError when no hashprice history can be had; the digest should then go out without it. */
export async function renderDigestChart({
  market,
  snapshots,
  now,
}: {
  market: Market;
  snapshots?: SnapshotReader;
  now: number;
}): Promise<ReplyChart> {
  const built = await buildChart({ metric: 'hashprice', range: '30d', market, snapshots, now });
  return built.chart;
}

/**
 * The chart only changes when the hashprice does; re-rendering it for every asker and every
 * scheduled chat would cost ~50 ms each. Keyed by block height and figure, so a new block or price
 * gives a new picture. One per running bot (main puts it in the command services).
 */
export class DigestChartCache implements ChartCache {
  private last: { key: string; chart: ReplyChart } | undefined;

  async get(key: string, render: () => Promise<ReplyChart>): Promise<ReplyChart> {
    if (this.last?.key === key) return this.last.chart;
    const chart = await render();
    this.last = { key, chart };
    return chart;
  }
}

async function digestChart(ctx: Pick<CommandContext, 'market' | 'now' | 'services'>, key: string): Promise<ReplyChart | undefined> {
  const render = () => renderDigestChart({ market: ctx.market, snapshots: ctx.services.historyStore, now: ctx.now() });
  try {
    return await (ctx.services.digestCharts ? ctx.services.digestCharts.get(key, render) : render());
  } catch (err) {
    // The digest's numbers matter more than its picture: send it without one.
    if (err instanceof UpstreamError) return undefined;
    throw err;
  }
}

/**
 * Scheduled digests wait in the outbox, so they carry absolute times (`clock: 'absolute'`). The
 * digest goes out with the parts that answered and says which are missing; it throws (an
 * UpstreamError) only when none answered.
 */
export async function buildDigest(
  ctx: Pick<CommandContext, 'market' | 'now' | 'services'>,
  clock: 'relative' | 'absolute' = 'relative',
): Promise<Reply> {
  // Missing parts and a missing fee input are named by the digest itself, so no separate warnings.
  const { headline, provenance } = await loadHeadlineParts(ctx.market, ctx.now());
  const tip =
    headline.height === undefined || headline.tipTimeSec === undefined
      ? undefined
      : { height: headline.height, timestampSec: headline.tipTimeSec };
  const power = (ctx.services.benchmarks ?? DEFAULT_BENCHMARKS).referencePowerUsdPerKwh;
  const { footer, provenance: sources } = attribution(provenance, ctx.now(), tip, clock);
  const reply = { ...digestReply(headline, footer, [], power), provenance: sources };
  const chart = await digestChart(ctx, `${headline.height}:${headline.hashpriceUsdPerPhDay}:${Math.floor(ctx.now() / 3_600_000)}`);
  return chart ? { ...reply, chart } : reply;
}
