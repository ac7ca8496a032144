/**
 * /halving and /site end to end on both chat platforms: real telegraf and a real discord.js client
 * against the local stand-ins, numbers from the real market reading the fake mempool. The figures are
 * the hand-checked ones of halving-site.test.ts (terminal), so all three surfaces agree.
 */
import 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { CommandContext } from '../../src/core/command.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { startDiscord, type DiscordHandle } from '../../src/adapters/discord/index.ts';
import type { TelegramBot } from '../../src/adapters/telegram/index.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram.ts';
import { TIP_TIME_SEC } from '../fakes/world.ts';
import { startBot } from '../adapters/telegram/harness.ts';

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;

let mempool: FakeMempool;
let market: Market;
let telegram: FakeTelegram;
let telegramBot: TelegramBot;
let discord: FakeDiscord;
let discordBot: DiscordHandle;

beforeAll(async () => {
  [mempool, telegram, discord] = await Promise.all([startFakeMempool(), startFakeTelegram(), startFakeDiscord()]);
  market = createMarket({ config: loadConfig({ ...mempool.env }), logger: silentLogger, now: () => NOW });
  telegramBot = await startBot(telegram, commands, { market, now: () => NOW });
  const config = loadConfig({
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GUILD_ID: discord.guildId,
    ...mempool.env,
  });
  const makeContext = (who: Pick<CommandContext, 'user' | 'chat'>): CommandContext => ({
    market,
    now: () => NOW,
    platform: 'discord',
    version: 'test',
    services: {},
    ...who,
  });
  discordBot = await startDiscord({ config, logger: silentLogger, commands, makeContext });
  // Warm the market cache so Discord answers at once rather than deferring.
  await runCommand(commands, 'halving', {}, makeContext({}), silentLogger);
});
afterAll(async () => {
  await telegramBot?.stop();
  await discordBot?.stop();
  await Promise.all([telegram?.close(), discord?.close(), mempool?.close()]);
});

/** The Discord answer to an interaction: the embed's text as one string. */
async function discordAnswer(id: string): Promise<{ text: string; message: any }> {
  const request = await discord.waitForRequest(
    (r) =>
      r.interactionId === id &&
      ((r.path.endsWith('/callback') && r.body?.type === 4) || r.method === 'PATCH') &&
      r.status !== undefined &&
      r.status < 300,
  );
  const message = request.path.endsWith('/callback') ? request.body.data : request.body;
  const e = message.embeds[0];
  return { message, text: [e.title, e.description, ...e.fields.flatMap((f: any) => [f.name, f.value]), e.footer?.text].join('\n') };
}

describe('/halving on Telegram and Discord', () => {
  // 159,553 blocks to 1,050,000; hashprice $38.86 × 1.5825 / 3.145 = $19.56; fees 3.125 + 0.02 − 1.5625 = 1.5825 BTC.
  const figures = ['159,553', '2028-02-27', '$19.56/PH/day', '1.5825 BTC', '158 sat/vB', 'Block 890,447 · mined 7 min ago'];

  it('Telegram', async () => {
    telegram.sendUserMessage({ chatId: 301, text: '/halving' });
    const m = await telegram.waitForSent((s) => s.chat_id === 301);
    for (const f of figures) expect(m.plain).toContain(f);
    expect(m.text?.length).toBeLessThanOrEqual(4096);
  });

  it('Discord', async () => {
    const { text, message } = await discordAnswer(discord.sendCommand({ name: 'halving', guildId: discord.guildId }));
    for (const f of figures) expect(text).toContain(f);
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('/site on Telegram and Discord', () => {
  // 50 MW of S21 XP at $0.04: revenue 1e6 / 13.5 × $0.038864 × 30.4375 = $87,624; power $29,220; lease 1.5M / 12 = $125,000;
  // site lease × 50 = $6.25M; hashprice to match (125,000 + 29,220) × 13.5 / 30,437.5 = $68.40.
  const figures = ['$87,624', '$29,220', '$125,000', '$6.25M', '$68.40/PH/day', 'Antminer S21 XP (13.5 J/TH) at $0.04/kWh'];

  it('Telegram, with positional options and a lease in millions', async () => {
    telegram.sendUserMessage({ chatId: 302, text: '/site 50 0.04 s21xp lease=1.5M' });
    const m = await telegram.waitForSent((s) => s.chat_id === 302);
    for (const f of figures) expect(m.plain).toContain(f);
    expect(m.text?.length).toBeLessThanOrEqual(4096);
  });

  it('Discord, with typed options', async () => {
    const id = discord.sendCommand({
      name: 'site',
      options: { mw: 50, power: 0.04, model: 's21xp', lease: 1_500_000 },
      guildId: discord.guildId,
    });
    const { text } = await discordAnswer(id);
    for (const f of figures) expect(text).toContain(f);
  });
});
