import { defineCommand, type CommandContext } from '../src/core/command.ts';
import { digestReply } from '../src/core/digest.ts';
import { footerFor } from '../src/core/freshness.ts';
import { DEFAULT_BENCHMARKS } from '../src/core/metrics/benchmarks.ts';
import type { Reply, ReplyChart } from '../src/core/reply.ts';
import { renderDigestChart } from '../src/charts/digest.ts';
import { loadHeadlineParts } from '../src/market-data/headline.ts';
import { UpstreamError } from '../src/sources/types.ts';
import { digestAction, digestOptions } from '../src/scheduler/digest-command.ts';

/**
 * The chart only changes when the hashprice does; re-rendering it for every asker would cost
 * ~50 ms each. Keyed by block height and figure, so a new block or price gives a new picture.
 */
let lastChart: { key: string; chart: ReplyChart } | undefined;

async function digestChart(ctx: Pick<CommandContext, 'market' | 'now' | 'services'>, key: string): Promise<ReplyChart | undefined> {
  if (lastChart?.key === key) return lastChart.chart;
  try {
    const chart = await renderDigestChart({ market: ctx.market, snapshots: ctx.services.historyStore, now: ctx.now() });
    lastChart = { key, chart };
    return chart;
  } catch (err) {
    // The digest's numbers matter more than its picture: send it without one.
    if (err instanceof UpstreamError) return undefined;
    throw err;
  }
}

/**
 * The digest as posted to channels and DMs; also what /digest shows on demand. Scheduled digests
 * wait in the outbox, so they carry absolute times (`clock: 'absolute'`). It goes out with the parts
 * that answered and says which are missing; it throws (an UpstreamError) only when none answered.
 */
export async function buildDigest(ctx: Pick<CommandContext, 'market' | 'now' | 'services'>, clock: 'relative' | 'absolute' = 'relative'): Promise<Reply> {
  // Missing parts and a missing fee input are named by the digest itself, so no separate warnings.
  const { headline, provenance } = await loadHeadlineParts(ctx.market, ctx.now());
  const tip = headline.height === undefined || headline.tipTimeSec === undefined ? undefined : { height: headline.height, timestampSec: headline.tipTimeSec };
  const power = (ctx.services.benchmarks ?? DEFAULT_BENCHMARKS).referencePowerUsdPerKwh;
  const reply = digestReply(headline, footerFor(provenance, ctx.now(), tip, clock), [], power);
  const chart = await digestChart(ctx, `${headline.height}:${headline.hashpriceUsdPerPhDay}:${Math.floor(ctx.now() / 3_600_000)}`);
  return chart ? { ...reply, chart } : reply;
}

export default defineCommand({
  name: 'digest',
  description: 'The daily mining digest: headline numbers, their changes and what stands out',
  options: digestOptions,
  examples: ['/digest', '/digest subscribe 14:00 Europe/Berlin', '/digest dm 08:00 UTC', '/digest unsubscribe', '/digest preview'],
  run: (ctx, args) => digestAction(ctx, args, () => buildDigest(ctx)),
});
