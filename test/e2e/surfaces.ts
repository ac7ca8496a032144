/**
 * Both chat platforms at once, for end-to-end tests that check a reply reads the same everywhere:
 * real telegraf and a real discord.js client against the local stand-ins, one real market reading
 * the fake mempool, the clock 7 minutes after the tip.
 */
import { commands } from '../../commands/index.ts';
import { startDiscord } from '../../src/adapters/discord/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { CommandContext } from '../../src/core/command.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMarket } from '../../src/sources/index.ts';
import { startBot } from '../adapters/telegram/harness.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.ts';
import { startFakeMempool } from '../fakes/mempool.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram.ts';
import { TIP_TIME_SEC } from '../fakes/world.ts';

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;

export interface Surfaces {
  telegram: FakeTelegram;
  discord: FakeDiscord;
  /** The Discord answer to an interaction: the embed's text as one string. */
  discordAnswer(id: string): Promise<{ text: string; message: any }>;
  stop(): Promise<void>;
}

/** `warm` commands run once first, so the market cache is filled and Discord answers at once rather than deferring. */
export async function startSurfaces(warm: readonly (readonly [string, Record<string, unknown>])[]): Promise<Surfaces> {
  const [mempool, telegram, discord] = await Promise.all([startFakeMempool(), startFakeTelegram(), startFakeDiscord()]);
  const market = createMarket({ config: loadConfig({ ...mempool.env }), logger: silentLogger, now: () => NOW });
  const telegramBot = await startBot(telegram, commands, { market, now: () => NOW });
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
  const discordBot = await startDiscord({ config, logger: silentLogger, commands, makeContext });
  for (const [name, args] of warm) await runCommand(commands, name, args, makeContext({}), silentLogger);
  return {
    telegram,
    discord,
    async discordAnswer(id) {
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
    },
    async stop() {
      await telegramBot.stop();
      await discordBot.stop();
      await Promise.all([telegram.close(), discord.close(), mempool.close()]);
    },
  };
}
