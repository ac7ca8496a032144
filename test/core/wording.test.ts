/** Wording people tripped over: "1 days", help that shows syntax for nothing, a time described as text. */
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { describeRule } from '../../src/alerts/rules.ts';
import { loadConfig } from '../../src/config.ts';
import type { CommandContext } from '../../src/core/command.ts';
import { ASIC_MODELS } from '../../src/core/metrics/index.ts';
import { plural } from '../../src/core/plural.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';

const ctx = () => ({ now: () => 0, platform: 'console', version: 'test', services: {} }) as unknown as CommandContext;
const help = async (name: string) => renderText(await runCommand(commands, 'help', { command: name }, ctx(), silentLogger));

describe('plural', () => {
  it.each([
    [0, 'day', '0 days'],
    [1, 'day', '1 day'],
    [2, 'day', '2 days'],
    [1024, 'block', '1,024 blocks'],
    [1, 'other', '1 other'],
  ])('%d %s → %s', (n, noun, text) => expect(plural(n, noun)).toBe(text));

  it('is used where a count of one happens: a 1-day change alert', () => {
    // Before: "Price down 5 % or more over 1 days".
    expect(describeRule({ kind: 'change', metric: 'price', direction: 'down', percent: 5, windowDays: 1 })).toMatch(/over 1 day$/);
    expect(describeRule({ kind: 'change', metric: 'price', direction: 'down', percent: 5, windowDays: 7 })).toMatch(/over 7 days$/);
  });
});

describe('/help <command>', () => {
  it('shows option syntax only for commands that take options', async () => {
    for (const c of commands) {
      const text = await help(c.name);
      const hasOptions = Object.keys(c.options).length > 0;
      expect(text.includes('Options go as name=value'), `/help ${c.name}`).toBe(hasOptions);
    }
  });

  it('lists every ASIC model for /profit, never cut short', async () => {
    const text = await help('profit');
    expect(text).not.toContain('…');
    for (const m of ASIC_MODELS) expect(text).toContain(m.id);
  });

  it('describes the digest time as a time of day with an optional zone, not as text', async () => {
    const text = await help('digest');
    expect(text).not.toMatch(/text of at most/);
    expect(text).toContain(
      '`time` must be a time of day like 07:30 or 7:30 (24 h), optionally followed by a time zone such as Europe/Berlin',
    );
    expect(text).toContain('`timezone` must be an IANA time zone such as Europe/Berlin');
  });
});

describe('DIGEST_DEFAULT_TIME', () => {
  it.each([
    ['7:30', '07:30'],
    ['07:30', '07:30'],
    ['14', '14:00'],
    [' 9:05 ', '09:05'],
  ])('accepts %j as /digest dm does (→ %s)', (raw, time) => {
    // Before: "7:30" stopped start-up with "expected HH:MM" while "/digest dm 7:30" worked.
    expect(loadConfig({ DIGEST_DEFAULT_TIME: raw }).DIGEST_DEFAULT_TIME).toBe(time);
  });

  it.each(['25:00', '7.30', 'noon'])('refuses %j naming the variable', (raw) => {
    expect(() => loadConfig({ DIGEST_DEFAULT_TIME: raw })).toThrow(/^DIGEST_DEFAULT_TIME: expected HH:MM \(24 h\), e\.g\. 14:00 or 7:30$/);
  });
});
