/**
 * Opening a PostgreSQL store: a pool, a first connection (so a wrong URL or an unreachable server
 * stops start-up with one clear line), then migrations. The password never reaches a message:
 * errors and `Store.path` name the URL without it.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { StoreError } from './open.ts';
import { migratePostgres, NewerSchemaError } from './postgres-migrations.ts';
import type { Database } from './schema.ts';

const INT8 = 20;

/**
 * BIGINT (ids, ms timestamps, COUNT) as JS numbers for this pool only: pg's default is strings
 * (int8 can exceed 2^53), and changing pg.types globally would change it for every other user of pg
 * in the process. Our values are ms since 1970 and row counts, far below 2^53.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The URL as it may be shown: without its password (and without any query string, which may hold one too). */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'cannot reach PostgreSQL (connection refused: is the server running, and on this host and port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'cannot reach PostgreSQL (host name not found)';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'cannot reach PostgreSQL (no route to the host, or no answer)';
    case '28P01':
      return 'PostgreSQL refused the password for this user';
    case '28000':
      return 'PostgreSQL refused the connection for this user (pg_hba.conf)';
    case '3D000':
      return 'that database does not exist on the server (create it first: CREATE DATABASE …)';
    case '42501':
      return 'this user may not create tables in that database';
  }
  const message = e.message ?? String(err);
  if (/timeout/i.test(message)) return 'cannot reach PostgreSQL (no answer within 10 s)';
  return message.split('\n')[0]!;
}

export async function connectPostgres(url: string): Promise<{ db: Kysely<Database>; path: string }> {
  const path = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError('DATABASE_URL: not a valid URL (expected postgres://user:password@host:5432/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new StoreError(`DATABASE_URL ${path}: expected a postgres:// or postgresql:// URL`);
  }
  const pool = new pg.Pool({ connectionString: url, types, connectionTimeoutMillis: 10_000, max: 10 });
  // An idle connection the server drops emits 'error' on the pool; unheard, Node would end the
  // process. The pool discards that connection, and the next query opens a new one or reports why not.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migratePostgres(db);
    return { db, path };
  } catch (err) {
    await db.destroy();
    if (err instanceof NewerSchemaError) throw new StoreError(`DATABASE_URL ${path}: ${err.message}`);
    throw new StoreError(`DATABASE_URL ${path}: ${describe(err)}`);
  }
}
