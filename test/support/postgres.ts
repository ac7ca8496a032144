/**
 * A fresh, empty PostgreSQL database for one test (or one group of processes), on the suite's
 * server (test/global-setup.ts). Databases are never shared between tests, so files run in parallel.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

/** The URL of a new empty database. */
export async function freshDatabase(): Promise<string> {
  const admin = inject('postgresUrl');
  const name = `hw_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}
