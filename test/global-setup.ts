/**
 * Before the suite: builds dist/ (tests that spawn bin/hashwatch.js run the compiled CLI users run,
 * compiled from the source under test) and starts the PostgreSQL server the store's tests run on.
 */
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startTestPostgres, type TestPostgres } from './support/postgres-server.ts';

let postgres: TestPostgres | undefined;

export async function setup(project: TestProject): Promise<void> {
  execFileSync(process.execPath, ['scripts/build.js'], { stdio: 'inherit' });
  postgres = await startTestPostgres();
  project.provide('postgresUrl', postgres.url);
}

export async function teardown(): Promise<void> {
  await postgres?.stop();
}
