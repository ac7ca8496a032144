import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord, type RecordedRequest } from './fakes/discord.ts';
import { startFakeMempool, type FakeMempool } from './fakes/mempool.ts';
import { startFakeTelegram, type FakeTelegram } from './fakes/telegram.ts';

/**
 * The whole bot as users run it (`npm start` → bin/hashwatch.js) with both tokens set: one
 * process answers on Telegram and Discord, and stops cleanly on SIGTERM.
 */
let mempool: FakeMempool;
let telegram: FakeTelegram;
let discord: FakeDiscord;
let bot: ChildProcess;
let output = '';
let dir: string;

beforeAll(async () => {
  [mempool, telegram, discord] = await Promise.all([startFakeMempool(), startFakeTelegram(), startFakeDiscord()]);
  dir = mkdtempSync(join(tmpdir(), 'hashwatch-main-'));
  bot = spawn(process.execPath, ['bin/hashwatch.js'], {
    env: {
      PATH: process.env.PATH,
      ...mempool.env,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.guildId,
      DATABASE_PATH: join(dir, 'bot.db'),
      LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  bot.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  bot.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await discord.waitForRequest((r) => r.method === 'PUT' && r.path.endsWith('/commands') && r.status === 200, 45_000);
}, 60_000);

afterAll(async () => {
  if (bot.exitCode === null) bot.kill('SIGKILL');
  await Promise.all([mempool.close(), telegram.close(), discord.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start with both tokens', () => {
  it('answers /hashprice on Telegram and on Discord with the same number', async () => {
    telegram.sendUserMessage({ chatId: 4242, text: '/hashprice' });
    const tg = await telegram.waitForSent((m) => m.chat_id === 4242, 20_000);
    expect(tg.plain).toContain('$38.86');

    const id = discord.sendCommand({ name: 'hashprice', guildId: discord.guildId });
    const isAnswer = (r: RecordedRequest) =>
      r.interactionId === id && ((r.path.endsWith('/callback') && r.body?.type === 4) || r.method === 'PATCH') && (r.status ?? 500) < 300;
    const answer = await discord.waitForRequest(isAnswer, 20_000);
    const message = answer.path.endsWith('/callback') ? answer.body.data : answer.body;
    expect(JSON.stringify(message.embeds)).toContain('$38.86');
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it('never logs a token', () => {
    expect(output.length).toBeGreaterThan(0);
    expect(output).not.toContain(telegram.token);
    expect(output).not.toContain(discord.token);
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)));
    bot.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('shutting down');
  }, 30_000);
});
