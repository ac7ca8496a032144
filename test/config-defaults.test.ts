/**
 * The defaults a user reads (README's configuration table, .env.example) are the ones the bot uses:
 * a renamed folder once moved the default database to ./market-data/ while both still said ./data/,
 * and an upgraded bot would have started on an empty database.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

const defaults = loadConfig({}) as unknown as Record<string, unknown>;

describe('documented defaults', () => {
  it('match the README configuration table wherever it gives a value', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| `([^`]+)` \|/gm)].map(([, name, value]) => [name!, value!] as const);
    expect(rows.length).toBeGreaterThan(8);
    for (const [name, value] of rows) expect({ name, value: String(defaults[name]) }).toEqual({ name, value });
  });

  it('match .env.example wherever it gives a value', () => {
    const example = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const lines = [...example.matchAll(/^([A-Z_]+)=(.+)$/gm)].map(([, name, value]) => [name!, value!.trim()] as const);
    expect(lines.length).toBeGreaterThan(3);
    for (const [name, value] of lines) expect({ name, value: String(defaults[name]) }).toEqual({ name, value });
  });
});
