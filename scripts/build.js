#!/usr/bin/env node
/**
 * Compiles the CLI to plain JavaScript in dist/ (run by `npm ci` through the `prepare` script, and
 * before the tests), so `hashwatch` starts without transpiling TypeScript at every start.
 * Code splitting keeps what `import()` loads lazily (the bots, the store) out of the start-up path.
 * bin/hashwatch.js runs dist/ only when it is newer than every source file.
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [new URL('../src/entry.ts', import.meta.url).pathname],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies stay in node_modules: native modules and fonts resolve from there as before.
  packages: 'external',
  logLevel: 'warning',
});
