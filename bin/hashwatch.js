#!/usr/bin/env node
// Runs the compiled CLI in dist/ (built by `npm ci` / `npm run build`, see scripts/build.js) when it
// is newer than every source file; otherwise the TypeScript source through tsx, so an edit made
// after the last build is never ignored (slower start, same behaviour).
import { readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const SOURCES = ['src', 'commands'];

/** Newest modification time (ms) under the given paths; Infinity when one cannot be read. */
function newestMtimeMs(paths) {
  let newest = 0;
  for (const p of paths) {
    const url = new URL(p, root);
    const st = statSync(url, { throwIfNoEntry: false });
    if (!st) continue;
    newest = Math.max(newest, st.mtimeMs);
    if (st.isDirectory()) {
      for (const entry of readdirSync(url, { recursive: true })) {
        newest = Math.max(newest, statSync(new URL(`${p}/${entry}`, root)).mtimeMs);
      }
    }
  }
  return newest;
}

const built = statSync(new URL('dist/entry.js', root), { throwIfNoEntry: false });
if (built && built.mtimeMs >= newestMtimeMs(SOURCES)) {
  await import('../dist/entry.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/entry.ts');
}
