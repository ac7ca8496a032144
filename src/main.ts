/**
 * Wiring: config → logger → market → store → adapters → scheduler, and a graceful shutdown.
 * With no platform token the bot runs at a terminal prompt.
 */
import { commands } from '../commands/index.ts';
import { secretsOf, type Config } from './config.ts';
import type { CommandContext, CommandServices, Platform } from './core/command.ts';
import { runConsole } from './adapters/console/index.ts';
import { createLogger } from './logger.ts';
import { createMarket } from './sources/index.ts';
import { VERSION } from './version.ts';

type Who = Pick<CommandContext, 'user' | 'chat'>;

export async function startBot(config: Config): Promise<void> {
  const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) });
  const market = createMarket({ config, logger });
  const services: CommandServices = {};
  const contextFor = (platform: Platform) => (who: Who = {}): CommandContext => ({
    market,
    now: () => Date.now(),
    platform,
    version: VERSION,
    services,
    ...who,
  });

  const stops: (() => Promise<void>)[] = [];
  if (config.TELEGRAM_BOT_TOKEN) {
    const { startTelegram } = await import('./adapters/telegram/index.ts');
    const telegram = await startTelegram({ config, logger, commands, makeContext: contextFor('telegram') });
    stops.push(telegram.stop);
    logger.info({ bot: telegram.botUsername }, 'telegram started');
  }
  if (config.DISCORD_TOKEN) {
    const { startDiscord } = await import('./adapters/discord/index.ts');
    const discord = await startDiscord({ config, logger, commands, makeContext: contextFor('discord') });
    stops.push(discord.stop);
    logger.info('discord started');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await Promise.allSettled(stops.map((stop) => stop()));
    logger.flush();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  if (stops.length === 0) {
    await runConsole({ commands, makeContext: () => contextFor('console')(), logger });
    await shutdown('console closed');
  }
}
