/**
 * `npm run bench [module…]`: runs every benchmark module present (or the ones named) and prints a JSON summary and a table.
 * Numbers are medians and ratios: these machines are shared and noisy.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { BenchResult } from './types.ts';

const ALL = ['start', 'core', 'alerts', 'store', 'charts', 'telegram'];
/** `npm run bench -- alerts start` runs just those modules. */
const MODULES = process.argv.length > 2 ? process.argv.slice(2).filter((m) => ALL.includes(m)) : ALL;

const all: Record<string, BenchResult[]> = {};
for (const name of MODULES) {
  if (!existsSync(new URL(`./${name}.ts`, import.meta.url))) continue;
  process.stderr.write(`bench: ${name}…\n`);
  const out = execFileSync(process.execPath, ['--import', 'tsx', new URL('./child.ts', import.meta.url).pathname, name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  all[name] = JSON.parse(out.slice(out.lastIndexOf('@@RESULTS@@') + '@@RESULTS@@'.length)) as BenchResult[];
}

process.stdout.write(`${JSON.stringify({ node: process.version, at: new Date().toISOString(), results: all }, null, 2)}\n\n`);
const rows = Object.entries(all).flatMap(([group, results]) =>
  results.map((r) => [group, r.name, `${r.value} ${r.unit}`, r.target ?? '', r.ok === undefined ? '' : r.ok ? 'yes' : 'NO']),
);
const head = ['group', 'measure', 'value', 'target', 'met'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
process.stdout.write(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n${rows.map(line).join('\n')}\n`);
process.exit(
  Object.values(all)
    .flat()
    .some((r) => r.ok === false)
    ? 1
    : 0,
);
