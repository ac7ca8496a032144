/**
 * What the repositories need to know about the engine under them. Queries are written once; the
 * few places the engines truly differ ask `engine` here, each with a comment saying why.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export type Engine = 'sqlite' | 'postgres';

/** A connection to the store: the whole database, or one transaction of it. */
export type Db = Kysely<Database>;

/** Bound parameters one statement may carry (SQLite's SQLITE_MAX_VARIABLE_NUMBER since 3.32; PostgreSQL's protocol Int16). */
const MAX_PARAMS: Record<Engine, number> = { sqlite: 32_766, postgres: 65_535 };

/** Rows of `columns` bound values each that fit in one statement. */
export function rowsPerStatement(engine: Engine, columns: number): number {
  return Math.floor(MAX_PARAMS[engine] / columns);
}

export function* chunks<T>(items: readonly T[], size: number): Generator<readonly T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * Runs fn in the caller's transaction when there is one (its work then commits or rolls back with
 * the caller's), else in a new one: a repository method that must be atomic is atomic either way.
 */
export function atomically<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/** Rows changed by an UPDATE or DELETE (Kysely reports bigints). */
export const changed = (r: { numUpdatedRows?: bigint; numDeletedRows?: bigint }): number =>
  Number(r.numUpdatedRows ?? r.numDeletedRows ?? 0n);
