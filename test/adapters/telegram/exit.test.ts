/**
 * The whole bot (`npm start` → bin/hashwatch.js) with a Telegram token Telegram refuses: the process
 * must exit non-zero with one line naming the variable to check, never stay up deaf.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeMempool, type FakeMempool } from '../../fakes/mempool.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram.ts';

let mempool: FakeMempool;
let telegram: FakeTelegram;
let dir: string;

beforeEach(async () => {
  [mempool, telegram] = await Promise.all([startFakeMempool(), startFakeTelegram()]);
  dir = mkdtempSync(join(tmpdir(), 'hashwatch-exit-'));
});
afterEach(async () => {
  await Promise.all([mempool.close(), telegram.close()]);
  rmSync(dir, { recursive: true, force: true });
});

function runBot(token: string) {
  const child = spawn(process.execPath, ['bin/hashwatch.js'], {
    env: {
      PATH: process.env.PATH,
      ...mempool.env,
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_PATH: join(dir, 'bot.db'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
  return { child, exited };
}

describe('a refused Telegram token', () => {
  it('revoked while running (getUpdates answers 401): exits 1 naming TELEGRAM_BOT_TOKEN', async () => {
    const { child, exited } = runBot(telegram.token);
    try {
      for (let i = 0; i < 400 && !telegram.calls.some((c) => c.method === 'getUpdates'); i++) await new Promise((r) => setTimeout(r, 50));
      telegram.failUpdates({ code: 401 });
      telegram.sendUserMessage({ chatId: 501, text: '/help' }); // ends the long poll in progress
      const { code, stderr } = await exited;
      expect(code).toBe(1);
      expect(stderr).toContain('hashwatch: Telegram refused the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 40_000);

  it('refused at start (getMe answers 401): exits 1 naming TELEGRAM_BOT_TOKEN', async () => {
    const { child, exited } = runBot('123456:WRONG-token_for-the-fake');
    try {
      const { code, stderr } = await exited;
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        'hashwatch: Telegram refused the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN (and TELEGRAM_API_ROOT if set)',
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 40_000);
});
