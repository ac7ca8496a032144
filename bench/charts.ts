/**
 * Chart benchmark: render time cold (the first chart of a fresh process, font and chart.js
 * registration included, measured in a child process so nothing else has warmed it) and warm
 * (median of 30 builds per metric: series preparation + chart.js drawing + PNG encoding).
 * Data comes from an in-memory stub market, so only our own work is timed. Target: warm < 150 ms.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildChart, CHART_METRICS, type ChartRange } from '../src/charts/metric-charts.ts';
import { openStore } from '../src/store/index.ts';
import { stubMarket } from '../test/market-data/stub-market.ts';
import { median, quantile } from './stats.ts';
import type { BenchResult } from './types.ts';

const WARM_RUNS = 30;
const TARGET_MS = 150;
const NOW = Date.UTC(2025, 3, 1, 15);
const round = (ms: number) => Math.round(ms * 10) / 10;

async function timeOne(
  metric: (typeof CHART_METRICS)[number],
  range: ChartRange,
  market = stubMarket(NOW / 1000),
): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const built = await buildChart({ metric, range, market, now: NOW });
  return { ms: performance.now() - t0, bytes: built.chart.png.length };
}

/** Child mode: one first-ever render, printed as JSON for the parent. */
if (process.argv.includes('--cold-child')) {
  const market = stubMarket(NOW / 1000);
  // Load the data first so the timing is the render, not the stub's history generation.
  await market.rewardHistory('3m');
  const { ms } = await timeOne('hashprice', '90d', market);
  process.stdout.write(JSON.stringify({ ms }));
  process.exit(0);
}

function coldRenderMs(): number {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--cold-child'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (child.status !== 0) throw new Error(`cold render child failed: ${child.stderr.slice(0, 500)}`);
  return (JSON.parse(child.stdout) as { ms: number }).ms;
}

export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const cold = coldRenderMs();
  results.push({ name: 'chart render cold (hashprice 90d, first in process, incl. font registration)', value: round(cold), unit: 'ms' });

  const market = stubMarket(NOW / 1000);
  for (const metric of CHART_METRICS) {
    for (const range of ['30d', '1y'] as const) {
      await timeOne(metric, range, market);
      const samples: number[] = [];
      let bytes = 0;
      for (let i = 0; i < WARM_RUNS; i++) {
        const r = await timeOne(metric, range, market);
        samples.push(r.ms);
        bytes = r.bytes;
      }
      const value = median(samples);
      results.push({
        name: `chart render warm ${metric} ${range} (median of ${WARM_RUNS})`,
        value: round(value),
        unit: 'ms',
        target: `< ${TARGET_MS} ms`,
        ok: value < TARGET_MS,
        details: { p90Ms: round(quantile(samples, 0.9)), maxMs: round(Math.max(...samples)), pngBytes: bytes },
      });
    }
  }
  results.push(await storeBacked());
  return results;
}

/** A year of live snapshots every 10 minutes (52,560 rows) read from SQLite, thinned and drawn. */
async function storeBacked(): Promise<BenchResult> {
  const store = openStore(':memory:');
  const nowSec = NOW / 1000;
  await store.snapshots.upsertMany(
    Array.from({ length: 52_560 }, (_, i) => ({
      metric: 'hashprice_usd',
      tsSec: nowSec - i * 600,
      value: 50 + 10 * Math.sin(i / 3000),
      source: 'mempool.space',
    })),
  );
  const market = stubMarket(nowSec);
  const samples: number[] = [];
  try {
    for (let i = 0; i <= WARM_RUNS; i++) {
      const t0 = performance.now();
      await buildChart({ metric: 'hashprice', range: '1y', market, snapshots: store.snapshots, now: NOW });
      if (i > 0) samples.push(performance.now() - t0);
    }
  } finally {
    await store.close();
  }
  const value = median(samples);
  return {
    name: `chart render warm hashprice 1y from the store, 52,560 ten-minute snapshots (median of ${WARM_RUNS})`,
    value: round(value),
    unit: 'ms',
    target: `< ${TARGET_MS} ms`,
    ok: value < TARGET_MS,
    details: { p90Ms: round(quantile(samples, 0.9)) },
  };
}
