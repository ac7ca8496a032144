import type { Database } from 'better-sqlite3';

export interface UserRow {
  id: number;
  platform: string;
  externalId: string;
  name: string | null;
}

export interface UserRepo {
  /** The user's row id, creating the row on first contact. */
  ensure(platform: string, externalId: string, name: string | undefined, nowMs: number): number;
  find(platform: string, externalId: string): UserRow | undefined;
}

export function userRepo(db: Database): UserRepo {
  const insert = db.prepare(
    `INSERT INTO users (platform, external_id, name, created_ms) VALUES (?, ?, ?, ?)
     ON CONFLICT (platform, external_id) DO UPDATE SET name = COALESCE(excluded.name, users.name)
     RETURNING id`,
  );
  const find = db.prepare(
    'SELECT id, platform, external_id AS externalId, name FROM users WHERE platform = ? AND external_id = ?',
  );
  return {
    ensure: (platform, externalId, name, nowMs) =>
      (insert.get(platform, externalId, name ?? null, nowMs) as { id: number }).id,
    find: (platform, externalId) => find.get(platform, externalId) as UserRow | undefined,
  };
}
