/**
 * CLI start-up: `hashwatch --version` as a whole process (what a script calling it waits for),
 * next to `node -e 0` (the floor no CLI can beat), and `hashwatch --help` (every command loaded). Builds dist/ first, so the compiled CLI of the
 * current source is what is measured.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './types.ts';
import { median } from './stats.ts';

const RUNS = 15;
const root = fileURLToPath(new URL('../', import.meta.url));

function timeProcess(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export async function run(): Promise<BenchResult[]> {
  execFileSync(process.execPath, ['scripts/build.js'], { cwd: root, stdio: 'inherit' });
  const node: number[] = [];
  const cli: number[] = [];
  const help: number[] = [];
  // Interleaved, so a burst of load on the shared machine hits both alike.
  for (let i = 0; i < RUNS; i++) {
    node.push(timeProcess(['-e', '0']));
    cli.push(timeProcess(['bin/hashwatch.js', '--version']));
    help.push(timeProcess(['bin/hashwatch.js', '--help']));
  }
  const mc = median(cli);
  const mn = median(node);
  return [
    {
      name: `hashwatch --version, whole process (median of ${RUNS})`,
      value: Math.round(mc),
      unit: 'ms',
      // The floor itself moves with the load of a shared machine (60 ms quiet, 4× that when busy):
      // what hashwatch adds on top of it is what it controls.
      target: '≤ 300 ms, or ≤ 240 ms above node -e 0',
      ok: mc <= 300 || mc - mn <= 240,
      // --help loads every command module (what any real command pays before its own work).
      details: { nodeE0_ms: Math.round(mn), ratioToNodeE0: Number((mc / mn).toFixed(1)), help_ms: Math.round(median(help)) },
    },
    { name: `node -e 0, whole process (median of ${RUNS}, the floor)`, value: Math.round(mn), unit: 'ms' },
  ];
}
