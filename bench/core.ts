/**
 * Core benchmark: command latency from a warm cache; 1,000 and 10,000 concurrent /hashprice on a
 * cold cache against the local fake mempool: how long the first reply takes once the upstream has
 * answered (target < 100 ms), and upstream calls made (target: one per resource).
 */
import { performance } from 'node:perf_hooks';
import { commands } from '../commands/index.ts';
import { loadConfig } from '../src/config.ts';
import type { CommandContext } from '../src/core/command.ts';
import { runCommand } from '../src/core/run.ts';
import { DigestChartCache } from '../src/digests/build.ts';
import { silentLogger } from '../src/logger.ts';
import { createMarket, type Market } from '../src/sources/index.ts';
import { startFakeMempool } from '../test/fakes/mempool.ts';
import type { BenchResult } from './types.ts';
import { median, quantile } from './stats.ts';

const CALLS = 10_000;

/**
 * The market with each distinct promise it hands out watched: the moment the last one settles is
 * when the upstream has answered everything the burst needs (coalesced asks share one promise,
 * so each is watched once).
 */
function watchUpstream(market: Market): { market: Market; lastSettledAt(): number } {
  let last = 0;
  const seen = new WeakSet<object>();
  const wrapped = new Proxy(market, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const out = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (out instanceof Promise && !seen.has(out)) {
          seen.add(out);
          const mark = () => {
            last = Math.max(last, performance.now());
          };
          out.then(mark, mark);
        }
        return out;
      };
    },
  });
  return { market: wrapped, lastSettledAt: () => last };
}

export async function run(): Promise<BenchResult[]> {
  const fake = await startFakeMempool();
  try {
    const config = loadConfig({ ...fake.env });
    // The running bot keeps the digest's chart between askers (main.ts); so does the bench.
    const digestCharts = new DigestChartCache();
    const contextFor = (market: ReturnType<typeof createMarket>): CommandContext => ({
      market,
      now: () => Date.now(),
      platform: 'cli',
      version: 'bench',
      services: { digestCharts },
    });
    const results: BenchResult[] = [];

    const warm = createMarket({ config, logger: silentLogger });
    for (const name of ['hashprice', 'hashrate', 'pools', 'digest'] as const) {
      await runCommand(commands, name, {}, contextFor(warm));
      const samples: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        const t0 = performance.now();
        await runCommand(commands, name, {}, contextFor(warm));
        samples.push(performance.now() - t0);
      }
      results.push({
        name: `/${name} latency, warm cache (median of ${CALLS.toLocaleString('en-US')})`,
        value: Number(median(samples).toFixed(4)),
        unit: 'ms',
        details: { p99_ms: Number(quantile(samples, 0.99).toFixed(4)), max_ms: Number(Math.max(...samples).toFixed(3)) },
      });
    }

    for (const calls of [1_000, CALLS]) {
      fake.resetHits();
      const cold = createMarket({ config, logger: silentLogger });
      const watched = watchUpstream(cold);
      const t0 = performance.now();
      let firstMs: number | undefined;
      const replies = await Promise.all(
        Array.from({ length: calls }, () =>
          runCommand(commands, 'hashprice', {}, contextFor(watched.market)).then((r) => {
            firstMs ??= performance.now() - t0;
            return r;
          }),
        ),
      );
      const elapsed = performance.now() - t0;
      const afterUpstream = firstMs! - (watched.lastSettledAt() - t0);
      const label = calls.toLocaleString('en-US');
      results.push({
        name: `${label} concurrent cold /hashprice: first reply after the upstream answered`,
        value: Number(afterUpstream.toFixed(1)),
        unit: 'ms',
        target: '< 100 ms',
        ok: afterUpstream < 100 && replies.every((r) => r.tone !== 'error'),
        details: {
          upstreamAnsweredAt_ms: Math.round(watched.lastSettledAt() - t0),
          firstReply_ms: Math.round(firstMs!),
          allReplies_ms: Math.round(elapsed),
        },
      });
      if (calls !== CALLS) continue;
      const counts = cold.callCounts();
      const maxPerResource = Math.max(...Object.values(counts));
      results.push({
        name: `upstream calls per resource for ${label} concurrent /hashprice (cold cache)`,
        value: maxPerResource,
        unit: 'calls',
        target: '1 per resource',
        ok: maxPerResource === 1 && replies.every((r) => r.tone !== 'error'),
        details: { ...counts, total_http_requests_seen_by_fake: fake.hits(), wall_ms: Math.round(elapsed) },
      });
    }
    return results;
  } finally {
    await fake.close();
  }
}
