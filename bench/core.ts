/**
 * Core benchmark: command latency from a warm cache, and upstream calls made by 10,000 concurrent
 * /hashprice calls on a cold cache against the local fake mempool (target: one per resource).
 */
import { performance } from 'node:perf_hooks';
import { commands } from '../commands/index.ts';
import { loadConfig } from '../src/config.ts';
import type { CommandContext } from '../src/core/command.ts';
import { runCommand } from '../src/core/run.ts';
import { DigestChartCache } from '../src/digests/build.ts';
import { silentLogger } from '../src/logger.ts';
import { createMarket } from '../src/sources/index.ts';
import { startFakeMempool } from '../test/fakes/mempool.ts';
import type { BenchResult } from './types.ts';
import { median, quantile } from './stats.ts';

const CALLS = 10_000;

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

    fake.resetHits();
    const cold = createMarket({ config, logger: silentLogger });
    const t0 = performance.now();
    const replies = await Promise.all(Array.from({ length: CALLS }, () => runCommand(commands, 'hashprice', {}, contextFor(cold))));
    const elapsed = performance.now() - t0;
    const counts = cold.callCounts();
    const maxPerResource = Math.max(...Object.values(counts));
    results.push({
      name: `upstream calls per resource for ${CALLS.toLocaleString('en-US')} concurrent /hashprice (cold cache)`,
      value: maxPerResource,
      unit: 'calls',
      target: '1 per resource',
      ok: maxPerResource === 1 && replies.every((r) => r.tone !== 'error'),
      details: { ...counts, total_http_requests_seen_by_fake: fake.hits(), wall_ms: Math.round(elapsed) },
    });
    return results;
  } finally {
    await fake.close();
  }
}
