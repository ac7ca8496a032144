/** A mistyped command name gets the closest command suggested, in chats, the terminal and the CLI. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { handleConsoleLine } from '../../src/adapters/console/index.ts';
import type { CommandContext } from '../../src/core/command.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';

// Unknown commands are refused before any data is needed, so no market is reached.
const ctx = () => ({ now: () => 0, platform: 'console', version: 'test', services: {} }) as unknown as CommandContext;
const run = promisify(execFile);

describe('unknown commands in chats and at the prompt', () => {
  it.each([
    ['hashprise', 'hashprice'],
    ['hashpric', 'hashprice'],
    ['/Hashrat', 'hashrate'],
    ['difficulity', 'difficulty'],
    ['proift', 'profit'],
  ])('%s → did you mean /%s?', async (typed, meant) => {
    const reply = await runCommand(commands, typed, {}, ctx(), silentLogger);
    expect(reply.tone).toBe('error');
    expect(reply.lines?.[0]).toMatch(
      new RegExp(`^There is no /${typed.replace(/^\//, '')} — did you mean /${meant}\\? Commands: /hashprice, `),
    );
  });

  it('suggests nothing when nothing is close', async () => {
    const reply = await runCommand(commands, 'weather', {}, ctx(), silentLogger);
    expect(reply.lines?.[0]).toMatch(/^There is no \/weather\. Commands: /);
  });

  it('answers at the terminal prompt', async () => {
    const text = await handleConsoleLine('/hashprise price=60000', { commands, logger: silentLogger, makeContext: ctx });
    expect(text).toContain('There is no /hashprise — did you mean /hashprice?');
  });

  it('/help for a misspelt command suggests it too', async () => {
    const reply = await runCommand(commands, 'help', { command: 'hashprise' }, ctx(), silentLogger);
    expect(reply.lines?.[0]).toMatch(/^There is no \/hashprise — did you mean \/hashprice\?/);
  });
});

describe('hashwatch <unknown>', () => {
  const cli = (...args: string[]) =>
    run(process.execPath, ['bin/hashwatch.js', ...args], { env: { PATH: process.env.PATH, LOG_LEVEL: 'silent' } }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );

  it('suggests the closest command and exits 2', async () => {
    const { code, stderr } = await cli('hashpric');
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('hashwatch: unknown command "hashpric" — did you mean "hashwatch hashprice"?');
  });

  it('treats an Object.prototype name as unknown', async () => {
    const { code, stderr } = await cli('constructor');
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('hashwatch: unknown command "constructor"');
  });
});
