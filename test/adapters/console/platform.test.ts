import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { consolePlatform } from '../../../src/adapters/console/index.ts';
import { defineCommand, type CommandContext } from '../../../src/core/command.ts';
import { silentLogger } from '../../../src/logger.ts';

const whoami = defineCommand({
  name: 'whoami',
  description: 'Says who asked and whether the background services were there',
  options: {},
  examples: ['/whoami'],
  run: async (ctx) => ({
    title: `${ctx.user?.id} in ${ctx.chat?.kind}, alerts ${ctx.services.alerts ? 'on' : 'off'}`,
    sections: [],
    footer: [],
    tone: 'neutral',
  }),
});

describe('the terminal prompt as a platform', () => {
  it('opens only once main says the background runs, answers as the terminal user, and ends when input ends', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const services: CommandContext['services'] = {};
    const makeContext = (who = {}) => ({
      market: {} as CommandContext['market'],
      now: () => 0,
      platform: 'console' as const,
      version: 't',
      services,
      ...who,
    });
    let backgroundRunning!: () => void;
    const ready = new Promise<void>((resolve) => (backgroundRunning = resolve));

    const started = await consolePlatform({ commands: [whoami], logger: silentLogger, input, output }).start(makeContext, ready);
    input.write('/whoami\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(text).toBe('');

    services.alerts = {} as NonNullable<CommandContext['services']['alerts']>;
    backgroundRunning();
    input.end();
    await expect(started.ended).resolves.toBeUndefined();
    expect(text).toContain('local in private, alerts on');
    expect(started.sender.platform).toBe('console');
  });
});
