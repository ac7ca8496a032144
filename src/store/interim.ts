/**
 * Interim bridge while the store moves to Kysely: the repositories' public interfaces are async
 * (PostgreSQL cannot answer synchronously), the SQLite implementations under them still sync.
 */
export type Sync<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : T[K];
};

/** Each method of a sync repository, behind a promise; waits while a transaction holds the store. */
export function asAsync<T extends object>(sync: Sync<T>, gate: () => Promise<void>): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(sync)) {
    out[name] = typeof fn === 'function' ? async (...args: unknown[]) => (await gate(), (fn as (...a: unknown[]) => unknown)(...args)) : fn;
  }
  return out as T;
}
