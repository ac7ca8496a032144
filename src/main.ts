/**
 * Wiring: config → logger → market → store → adapters → background work (alerts, digests,
 * delivery, history snapshots), and a graceful shutdown. With no platform token the bot runs at a
 * terminal prompt, alerts and digests included.
 */
import { dirname, join } from 'node:path';
import { pino } from 'pino';
import { commands } from '../commands/index.ts';
import { secretsOf, sqliteFileOf, storeLocation, type Config } from './config.ts';
import type { Platform } from './core/command.ts';
import type { CommandServices } from './core/services.ts';
import { benchmarksFrom } from './core/metrics/benchmarks.ts';
import type { ContextFactory, PlatformAdapter, StartedPlatform } from './core/platform.ts';
import { consolePlatform } from './adapters/console/index.ts';
import { waitingNotice } from './adapters/console/waiting.ts';
import { loadHeadline } from './market-data/headline.ts';
import { buildDigest, DigestChartCache } from './digests/build.ts';
import { createLogger, type Logger } from './logger.ts';
import { startBackground } from './background.ts';
import { singleLeadership, type Leadership } from './cluster/leadership.ts';
import { postgresLeadership } from './cluster/postgres-leadership.ts';
import { createMetrics } from './ops/metrics.ts';
import { PlatformStatus } from './ops/readiness.ts';
import { serveOpsIfConfigured } from './ops/server.ts';
import { createMarket } from './sources/index.ts';
import { openStoreAt, StoreError } from './store/index.ts';
import { VERSION } from './version.ts';

async function openStoreOrExit(location: string) {
  try {
    return await openStoreAt(location);
  } catch (err) {
    if (err instanceof StoreError) {
      process.stderr.write(`hashwatch: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** Where the terminal prompt's log file and saved charts go: beside the SQLite file (or DATABASE_PATH). */
const dataFolder = (config: Config) => dirname(sqliteFileOf(config) ?? config.DATABASE_PATH);

/**
 * One SQLite process does everything; instances sharing a PostgreSQL elect the one that does the
 * work that must happen once (alerts, digests, delivery, Telegram long polling).
 */
function leadershipFor(config: Config, logger: Logger): Leadership {
  if (sqliteFileOf(config) !== undefined) return singleLeadership();
  return postgresLeadership({ url: storeLocation(config), key: 'hashwatch:leader', log: logger });
}

/** Telegram and Discord where their tokens are set; the terminal prompt when neither is. */
async function configuredPlatforms(config: Config, logger: Logger, logFile: string | undefined): Promise<PlatformAdapter[]> {
  const platforms: PlatformAdapter[] = [];
  // Imported only when configured: the terminal prompt does not wait for telegraf and discord.js to load.
  if (config.TELEGRAM_BOT_TOKEN)
    platforms.push((await import('./adapters/telegram/index.ts')).telegramPlatform({ config, logger, commands }));
  if (config.DISCORD_TOKEN) platforms.push((await import('./adapters/discord/index.ts')).discordPlatform({ config, logger, commands }));
  if (platforms.length) return platforms;
  return [
    consolePlatform({
      commands,
      logger,
      logFile,
      waitingNotice: waitingNotice(config.MEMPOOL_API_URL),
      chartsDir: join(dataFolder(config), 'charts'),
    }),
  ];
}

export async function startBot(config: Config): Promise<void> {
  // The store first: an unusable database is reported before anything else touches that folder.
  const store = await openStoreOrExit(storeLocation(config));
  const inTerminal = !config.TELEGRAM_BOT_TOKEN && !config.DISCORD_TOKEN;
  // At the terminal prompt, log lines would bury the answers: they go to a file beside the database.
  const logFile = inTerminal ? join(dataFolder(config), 'hashwatch.log') : undefined;
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
  const leadership = leadershipFor(config, logger);
  const role = () => leadership.role();
  const metrics = createMetrics({
    role,
    backlog: () => store.outbox.backlog(),
    onBacklogError: (err) => logger.warn({ err: (err as Error).message }, 'metrics: outbox unreadable'),
  });
  const market = createMarket({ config, logger, observe: metrics.upstream });
  const services: CommandServices = {
    historyStore: store.snapshots,
    benchmarks: benchmarksFrom(config),
    digestCharts: new DigestChartCache(),
    settings: store.settings,
    observe: metrics.commands,
  };
  const now = () => Date.now();
  // The asker's /settings are not read here: runCommand reads them from services.settings per command.
  const contextFor =
    (platform: Platform): ContextFactory =>
    (who = {}) => ({
      market,
      now,
      platform,
      version: VERSION,
      services,
      ...who,
    });

  const platforms = await configuredPlatforms(config, logger, logFile);
  let backgroundRunning!: () => void;
  const ready = new Promise<void>((resolve) => (backgroundRunning = resolve));
  const status = new PlatformStatus(platforms.map((p) => p.platform));
  // Before the platforms connect: /healthz answers while they do, and a taken port stops start-up early.
  const ops = await serveOpsIfConfigured(config, {
    registry: metrics.registry,
    logger,
    readiness: { store: () => store.ping(), platforms: status.snapshot, role },
  });
  const started: StartedPlatform[] = [];
  for (const platform of platforms) {
    started.push(await platform.start(contextFor(platform.platform), ready, { leader: leadership }));
    const running = started.at(-1)!;
    status.started(platform.platform, running.ended, running.connected);
  }

  // Competes (or, alone, simply leads) before the background work asks who leads.
  await leadership.start();
  const background = await startBackground({
    config,
    logger,
    store,
    market,
    leadership,
    senders: started.map((p) => metrics.countSends(p.sender)),
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
    await Promise.allSettled(started.map((p) => p.stop()));
    await background.stop();
    // After the work stopped: the lock goes only once nothing of this instance's leader work runs.
    await leadership.stop();
    await ops?.close();
    await store.close();
    logger.flush();
    process.exit(exitCode);
  };
  started.forEach(({ ended }, i) => {
    void ended?.then((err) => {
      if (!err) return shutdown(`${platforms[i]!.platform} closed`);
      process.stderr.write(`hashwatch: ${err.message}\n`);
      return shutdown('fatal', 1);
    });
  });
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  backgroundRunning();
}
