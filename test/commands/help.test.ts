/** /help <command>: syntax only where there are options, every ASIC model, the digest time described as a time. */
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import type { CommandContext } from '../../src/core/command.ts';
import { ASIC_MODELS } from '../../src/core/metrics/index.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';

const ctx = () => ({ now: () => 0, platform: 'console', version: 'test', services: {} }) as unknown as CommandContext;
const help = async (name: string) => renderText(await runCommand(commands, 'help', { command: name }, ctx(), silentLogger));

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
