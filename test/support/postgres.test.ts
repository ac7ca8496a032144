import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from './postgres.ts';

describe('the suite PostgreSQL server', () => {
  it('hands each caller its own empty database', async () => {
    const [a, b] = await Promise.all([freshDatabase(), freshDatabase()]);
    expect(a).not.toBe(b);
    const client = new pg.Client({ connectionString: a });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string; tables: string }>(
        `SELECT current_setting('server_version_num') AS version,
                (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public') AS tables`,
      );
      expect(Number(rows[0]!.version)).toBeGreaterThanOrEqual(140000);
      expect(Number(rows[0]!.tables)).toBe(0);
    } finally {
      await client.end();
    }
  });
});
