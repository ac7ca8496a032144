/**
 * Builds dist/ before the suite, so tests that spawn bin/hashwatch.js run the compiled CLI users
 * run, compiled from the source under test (bin/hashwatch.js would fall back to tsx otherwise).
 */
import { execFileSync } from 'node:child_process';

export function setup(): void {
  execFileSync(process.execPath, ['scripts/build.js'], { stdio: 'inherit' });
}
