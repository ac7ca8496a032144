/**
 * Wiring: config → logger → market → store → adapters → background work (alerts, digests,
 * delivery, history snapshots), and a graceful shutdown. With no platform token the bot runs at a
 * terminal prompt, alerts and digests included.
 */
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { commands } from '../commands/index.ts';
import { secretsOf, type Config } from './config.ts';
import type { CommandContext, Platform } from './core/command.ts';
import type { CommandServices } from './core/services.ts';
import { benchmarksFrom } from './core/metrics/benchmarks.ts';
import type { Sender } from './delivery/sender.ts';
import { CONSOLE_USER, consoleSender } from './adapters/console/sender.ts';
import { runConsole } from './adapters/console/index.ts';
import { waitingNotice } from './adapters/console/waiting.ts';
import { loadHeadline } from './market-data/headline.ts';
import { buildDigest, DigestChartCache } from './digests/build.ts';
import { createLogger } from './logger.ts';
import { startBackground } from './background.ts';
import { createMarket } from './sources/index.ts';
import { openStore, StoreError } from './store/index.ts';
import { VERSION } from './version.ts';

type Who = Pick<CommandContext, 'user' | 'chat'>;

function openStoreOrExit(path: string) {
  try {
    return openStore(path);
  } catch (err) {
    if (err instanceof StoreError) {
      process.stderr.write(`hashwatch: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

export async function startBot(config: Config): Promise<void> {
  // The store first: an unusable DATABASE_PATH is reported before anything else touches that folder.
  const store = openStoreOrExit(config.DATABASE_PATH);
  const inTerminal = !config.TELEGRAM_BOT_TOKEN && !config.DISCORD_TOKEN;
  // At the terminal prompt, log lines would bury the answers: they go to a file beside the database.
  const logFile = inTerminal ? join(dirname(config.DATABASE_PATH), 'hashwatch.log') : undefined;
  const logDestination = logFile ? pino.destination({ dest: logFile, mkdir: true, sync: false }) : undefined;
  // An unhandled 'error' from the log file (ENOSPC on a full disk) would end the process; lines that
  // cannot be written are lost instead, said once on the terminal, and later lines try again.
  let logFileFailed = false;
  logDestination?.on('error', (err: NodeJS.ErrnoException) => {
    if (logFileFailed) return;
    logFileFailed = true;
    process.stderr.write(`hashwatch: cannot write ${logFile} (${err.code ?? err.message}); log lines are being dropped\n`);
  });
  const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) }, logDestination);
  const market = createMarket({ config, logger });
  const services: CommandServices = { historyStore: store.snapshots, benchmarks: benchmarksFrom(config), digestCharts: new DigestChartCache() };
  const now = () => Date.now();
  const contextFor = (platform: Platform) => (who: Who = {}): CommandContext => ({
    market,
    now,
    platform,
    version: VERSION,
    services,
    ...who,
  });

  const stops: (() => Promise<void>)[] = [];
  const senders: Sender[] = [];
  /** An adapter that can no longer work (a revoked token): the process exits non-zero with its message. */
  const fatal: Promise<Error>[] = [];
  if (config.TELEGRAM_BOT_TOKEN) {
    const { startTelegram } = await import('./adapters/telegram/index.ts');
    const telegram = await startTelegram({ config, logger, commands, makeContext: contextFor('telegram') });
    stops.push(telegram.stop);
    senders.push(telegram.sender);
    fatal.push(telegram.failed);
    logger.info({ bot: telegram.botUsername }, 'telegram started');
  }
  if (config.DISCORD_TOKEN) {
    const { startDiscord } = await import('./adapters/discord/index.ts');
    const discord = await startDiscord({ config, logger, commands, makeContext: contextFor('discord') });
    stops.push(discord.stop);
    senders.push(discord.sender);
    logger.info('discord started');
  }
  if (inTerminal) senders.push(consoleSender());

  const background = await startBackground({
    config,
    logger,
    store,
    market,
    senders,
    loadHeadline,
    buildDigest: () => buildDigest({ market, now, services }, 'absolute'),
  });
  services.alerts = background.services.alerts;
  services.digests = background.services.digests;
  services.account = background.services.account;

  let stopping = false;
  const shutdown = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Adapters first (no new commands), then the background work (the outbox finishes in-flight
    // sends), then the store.
    await Promise.allSettled(stops.map((stop) => stop()));
    await background.stop();
    store.close();
    logger.flush();
    process.exit(exitCode);
  };
  void Promise.race(fatal).then((err) => {
    process.stderr.write(`hashwatch: ${err.message}\n`);
    void shutdown('fatal', 1);
  });
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  if (inTerminal) {
    const chat = { id: CONSOLE_USER.id, kind: 'private' as const, isAdmin: async () => true };
    await runConsole({
      commands,
      makeContext: () => contextFor('console')({ user: CONSOLE_USER, chat }),
      logger,
      logFile,
      waitingNotice: waitingNotice(config.MEMPOOL_API_URL),
      chartsDir: join(dirname(config.DATABASE_PATH), 'charts'),
    });
    await shutdown('console closed');
  }
}
