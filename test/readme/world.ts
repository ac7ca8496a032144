/**
 * The terminal prompt of `npm start`, wired to the test world: the fake mempool, a clock stopped
 * seven minutes after the tip block, and an empty in-memory store with the one console user. The
 * README's example replies are what this prompt answers.
 */
import type { LookupFunction } from 'node:net';
import { PassThrough } from 'node:stream';
import { Agent } from 'undici';
import { commands } from '../../commands/index.ts';
import { handleConsoleLine } from '../../src/adapters/console/index.ts';
import { CONSOLE_USER, consoleSender } from '../../src/adapters/console/sender.ts';
import { loadConfig } from '../../src/config.ts';
import type { CommandContext } from '../../src/core/command.ts';
import type { CommandServices } from '../../src/core/services.ts';
import { benchmarksFrom } from '../../src/core/metrics/benchmarks.ts';
import { loadHeadline } from '../../src/market-data/headline.ts';
import { silentLogger } from '../../src/logger.ts';
import { startBackground } from '../../src/background.ts';
import { buildDigest, DigestChartCache } from '../../src/digests/build.ts';
import { createMarket } from '../../src/sources/index.ts';
import { openStore } from '../../src/store/index.ts';
import { VERSION } from '../../src/version.ts';
import { startFakeMempool } from '../fakes/mempool.ts';
import { TIP_TIME_SEC } from '../fakes/world.ts';

/** 2025-04-01 21:07:40 UTC: seven minutes after the tip block, so footers read "mined 7 min ago". */
const EXAMPLE_NOW_MS = (TIP_TIME_SEC + 7 * 60) * 1000;

export interface ExampleWorld {
  /** What the prompt prints for one typed line. */
  ask(line: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The fake listens on 127.0.0.1, and a self-hosted mempool is named by its host in replies. The
 * examples show what a user of mempool.space reads, so the URL names mempool.space and this
 * dispatcher connects that name to the fake: the reply's source naming runs unchanged.
 */
const toLocalhost = () =>
  new Agent({
    connect: {
      lookup: ((_host, options, callback) =>
        options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4)) as LookupFunction,
    },
  });

export async function startExampleWorld(): Promise<ExampleWorld> {
  const fake = await startFakeMempool();
  const port = new URL(fake.apiUrl).port;
  const config = loadConfig({ ...fake.env, MEMPOOL_API_URL: `http://mempool.space:${port}/api` });
  const now = () => EXAMPLE_NOW_MS;
  const dispatcher = toLocalhost();
  const market = createMarket({ config, logger: silentLogger, now, dispatcher, sleep: async () => {} });
  const store = openStore(':memory:');
  const services: CommandServices = {
    historyStore: store.snapshots,
    benchmarks: benchmarksFrom(config),
    digestCharts: new DigestChartCache(),
    settings: store.settings,
  };
  const runtime = await startBackground({
    config,
    logger: silentLogger,
    store,
    market,
    senders: [consoleSender(new PassThrough())],
    loadHeadline,
    buildDigest: () => buildDigest({ market, now, services }, 'absolute'),
    now,
    timers: false,
  });
  Object.assign(services, runtime.services);
  // As at start-up: the first poll tells the alert engine the current numbers, so "/alert add" can
  // say whether its condition already holds.
  await runtime.pollOnce();
  const chat = { id: CONSOLE_USER.id, kind: 'private' as const, isAdmin: async () => true };
  // As main does: no prefs here; runCommand reads the asker's /settings per command.
  const makeContext = (): CommandContext => ({
    market,
    now,
    platform: 'console',
    version: VERSION,
    services,
    user: CONSOLE_USER,
    chat,
  });
  return {
    ask: async (line) => (await handleConsoleLine(line, { commands, makeContext, logger: silentLogger })) ?? '',
    close: async () => {
      await runtime.stop();
      await store.close();
      await dispatcher.close();
      await fake.close();
    },
  };
}
