/**
 * The Market the rest of the bot reads: mempool.space first, Coinbase (price) and blockchain.info (chain
 * figures) when mempool fails, every resource cached, coalesced and served stale rather than not at all.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { FetchFailure, Upstream, type HttpDeps, type UpstreamObserver } from './http.ts';
import { Resource, type SourceAttempt } from './resource.ts';
import {
  BodySchema,
  type Drop,
  blocksSchema,
  coinbasePrices,
  coinbaseRatesSchema,
  difficultyAdjustmentSchema,
  feeHistorySchema,
  hashrateSchema,
  mempoolPricesSchema,
  plainNumber,
  poolStats,
  poolHistorySchema,
  poolsSchema,
  priceHistorySchema,
  recommendedFeesSchema,
  rewardHistorySchema,
  rewardStatsSchema,
} from './schemas.ts';
import type { ChainTip, HistoryPeriod, Market, NetworkStats, PoolWindow } from '../core/market.ts';

export type * from '../core/market.ts';

export interface MarketOptions {
  config: Config;
  logger: Logger;
  now?: () => number;
  /** Waits between retries (tests inject a recorder so Retry-After is checked without waiting). */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  dispatcher?: Dispatcher;
  /** Counts requests and failures per upstream for the operator (absent: nobody counts). */
  observe?: UpstreamObserver;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** How long each answer is reused; shorter where the value moves with every block. */
export const TTL_MS = {
  tip: 30 * SECOND,
  network: 30 * SECOND,
  prices: 60 * SECOND,
  difficultyAdjustment: 60 * SECOND,
  rewardStats: 2 * MINUTE,
  recommendedFees: 30 * SECOND,
  pools: 5 * MINUTE,
  history: 30 * MINUTE,
  priceHistory: 60 * MINUTE,
} as const;

const GH = 1e9;
const POOL_WINDOWS: readonly PoolWindow[] = ['24h', '3d', '1w', '1m', '3m', '6m', '1y'];
const HISTORY_PERIODS: readonly HistoryPeriod[] = ['1w', '1m', '3m', '6m', '1y', '2y', '3y', 'all'];

/**
 * Logs dropped or clamped rows at warn once per endpoint (its path without the period), then at debug:
 * mempool's genesis row comes back with every refresh and must not fill the log.
 */
function rowReporter(logger: Logger) {
  const warned = new Set<string>();
  return (source: string, path: string, notes: string[]) => {
    if (notes.length === 0) return;
    const endpoint = `${source} ${path.split('?')[0]!.replace(/\/(24h|3d|1w|1m|3m|6m|1y|2y|3y|all|\d+)$/, '/…')}`;
    const level = warned.has(endpoint) ? 'debug' : 'warn';
    warned.add(endpoint);
    logger[level]({ source, path, dropped: notes.length, first: notes.slice(0, 3) }, 'upstream rows dropped or clamped; the rest is used');
  };
}
type ReportRows = ReturnType<typeof rowReporter>;

async function getJson<T>(
  upstream: Upstream,
  path: string,
  schema: z.ZodType<T> | BodySchema<T>,
  logger: Logger,
  report: ReportRows,
): Promise<T> {
  const body = await upstream.get(path);
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    // mempool answers 200 with an empty body where its repository returned null (mining-routes.ts
    // `$getHistoricalPrice`: `res.status(200).send(response)` with response null).
    const reason = body.trim() === '' ? 'empty answer' : 'invalid JSON';
    logger.warn({ source: upstream.source, path }, `upstream sent ${reason === 'empty answer' ? 'an empty body' : 'invalid JSON'}`);
    throw new FetchFailure(upstream.source, path, reason);
  }
  const notes: string[] = [];
  const drop: Drop = (note) => notes.push(note);
  const parsed = schema instanceof BodySchema ? schema.safeParse(data, drop) : schema.safeParse(data);
  if (!parsed.success) {
    const { at, message, placeholder } =
      'issues' in parsed.error
        ? { at: parsed.error.issues[0]?.path.join('.'), message: parsed.error.issues[0]?.message, placeholder: false }
        : parsed.error;
    logger.warn(
      { source: upstream.source, path, at, issue: message },
      placeholder ? 'upstream sent a placeholder where a figure is needed' : 'upstream response has an unexpected shape',
    );
    // A placeholder answer ("no price right now") is named as such; anything else is a changed API.
    throw new FetchFailure(upstream.source, path, placeholder && message ? message : 'unexpected response shape');
  }
  report(upstream.source, path, notes);
  return parsed.data as T;
}

async function getNumber(upstream: Upstream, path: string, logger: Logger): Promise<number> {
  const parsed = plainNumber.safeParse(await upstream.get(path));
  if (!parsed.success) {
    logger.warn({ source: upstream.source, path }, 'upstream sent something other than a number');
    throw new FetchFailure(upstream.source, path, 'unexpected response shape');
  }
  return parsed.data;
}

/**
 * How replies name the mempool instance: "mempool.space" only when it is mempool.space; a self-hosted
 * instance is named by its host ("mempool (mempool.example.org)"), so a footer never credits a server
 * that was not asked.
 */
export function mempoolSourceName(apiUrl: string): string {
  const host = new URL(apiUrl).hostname.toLowerCase();
  return host === 'mempool.space' || host.endsWith('.mempool.space') ? 'mempool.space' : `mempool (${host})`;
}

/** One Resource per argument, made on first use (arguments are checked against a fixed list first). */
function perArgument<A extends string | number, T>(make: (arg: A) => Resource<T>): (arg: A) => Resource<T> {
  const made = new Map<A, Resource<T>>();
  return (arg) => {
    let r = made.get(arg);
    if (!r) made.set(arg, (r = make(arg)));
    return r;
  };
}

function checked<A>(arg: A, allowed: readonly A[], what: string): Promise<never> | undefined {
  return allowed.includes(arg)
    ? undefined
    : Promise.reject(new RangeError(`${what} must be one of ${allowed.join(', ')}, got ${String(arg)}`));
}

export function createMarket(opts: MarketOptions): Market {
  const { config, logger } = opts;
  const now = opts.now ?? Date.now;
  const counts: Record<string, number> = {};
  const deps: HttpDeps = {
    dispatcher: opts.dispatcher ?? new Agent({ keepAliveTimeout: 10 * SECOND }),
    timeoutMs: config.HTTP_TIMEOUT_MS,
    logger,
    now,
    sleep: opts.sleep ?? ((ms) => delay(ms)),
    random: opts.random ?? Math.random,
    count: (key) => {
      counts[key] = (counts[key] ?? 0) + 1;
    },
    observe: opts.observe,
  };
  const mempool = new Upstream(mempoolSourceName(config.MEMPOOL_API_URL), config.MEMPOOL_API_URL, deps);
  // A fallback set to an empty URL is off (privacy, self-hosting): nothing is ever sent there.
  const coinbase = config.PRICE_FALLBACK_URL ? new Upstream('Coinbase', config.PRICE_FALLBACK_URL, deps) : undefined;
  const bcinfo = config.CHAIN_FALLBACK_URL ? new Upstream('blockchain.info', config.CHAIN_FALLBACK_URL, deps) : undefined;
  const report = rowReporter(logger);
  const json = <T>(upstream: Upstream, path: string, schema: z.ZodType<T> | BodySchema<T>) =>
    getJson(upstream, path, schema, logger, report);

  // A quarter of the request timeout (2 s at the default) without an answer starts the fallback.
  const hedgeAfterMs = Math.ceil(config.HTTP_TIMEOUT_MS / 4);
  const resource = <T>(key: string, what: string, ttlMs: number, sources: (SourceAttempt<T> | undefined)[]) =>
    new Resource<T>({
      key,
      what,
      ttlMs,
      sources: sources.filter((x): x is SourceAttempt<T> => x !== undefined),
      hedgeAfterMs,
      now,
      logger,
    });
  const fromMempool = <T>(fetch: () => Promise<T>): SourceAttempt<T> => ({ source: mempool.source, fetch });

  const tip = resource<ChainTip>('tip', 'the chain tip', TTL_MS.tip, [
    fromMempool(() => json(mempool, '/v1/blocks', blocksSchema)),
    bcinfo && {
      source: bcinfo.source,
      caveat: 'block time unknown, fetch time shown',
      fetch: async () => {
        const [height, difficulty] = await Promise.all([
          getNumber(bcinfo, '/q/getblockcount', logger),
          getNumber(bcinfo, '/q/getdifficulty', logger),
        ]);
        return { height, difficulty, timestampSec: Math.floor(now() / 1000) };
      },
    },
  ]);

  const network = resource<NetworkStats>('network', 'network hashrate and difficulty', TTL_MS.network, [
    fromMempool(async () => {
      const [height, h] = await Promise.all([
        getNumber(mempool, '/blocks/tip/height', logger),
        json(mempool, '/v1/mining/hashrate/3d', hashrateSchema),
      ]);
      if (h.currentDifficulty === undefined || h.currentHashrate === undefined) {
        throw new FetchFailure(mempool.source, '/v1/mining/hashrate/3d', 'current hashrate unknown (mempool cannot reach its node)');
      }
      return { height, difficulty: h.currentDifficulty, hashrate: h.currentHashrate };
    }),
    bcinfo && {
      source: bcinfo.source,
      fetch: async () => {
        const [height, difficulty, hashrateGh] = await Promise.all([
          getNumber(bcinfo, '/q/getblockcount', logger),
          getNumber(bcinfo, '/q/getdifficulty', logger),
          getNumber(bcinfo, '/q/hashrate', logger),
        ]);
        return { height, difficulty, hashrate: hashrateGh * GH };
      },
    },
  ]);

  const prices = resource('prices', 'the BTC price', TTL_MS.prices, [
    fromMempool(() => json(mempool, '/v1/prices', mempoolPricesSchema)),
    coinbase && {
      source: coinbase.source,
      fetch: async () => coinbasePrices(await json(coinbase, '/v2/exchange-rates?currency=BTC', coinbaseRatesSchema), now()),
    },
  ]);

  const difficultyAdjustment = resource('difficulty-adjustment', 'the difficulty adjustment estimate', TTL_MS.difficultyAdjustment, [
    fromMempool(() => json(mempool, '/v1/difficulty-adjustment', difficultyAdjustmentSchema)),
  ]);

  const recommendedFees = resource('fees', 'recommended fee rates', TTL_MS.recommendedFees, [
    fromMempool(() => json(mempool, '/v1/fees/recommended', recommendedFeesSchema)),
  ]);

  const rewardStats = perArgument((blocks: number) =>
    resource(`reward-stats/${blocks}`, `reward stats of the last ${blocks} blocks`, TTL_MS.rewardStats, [
      fromMempool(() => json(mempool, `/v1/mining/reward-stats/${blocks}`, rewardStatsSchema)),
    ]),
  );

  const hashrateHistory = perArgument((period: HistoryPeriod) =>
    resource(`hashrate/${period}`, `hashrate history (${period})`, TTL_MS.history, [
      fromMempool(() => json(mempool, `/v1/mining/hashrate/${period}`, hashrateSchema)),
    ]),
  );

  const pools = perArgument((window: PoolWindow) =>
    resource(`pools/${window}`, `mining pool shares (${window})`, TTL_MS.pools, [
      fromMempool(async () => poolStats(window, await json(mempool, `/v1/mining/pools/${window}`, poolsSchema))),
    ]),
  );

  const rewardHistory = perArgument((period: HistoryPeriod) =>
    resource(`reward-history/${period}`, `block reward history (${period})`, TTL_MS.history, [
      fromMempool(() => json(mempool, `/v1/mining/blocks/rewards/${period}`, rewardHistorySchema)),
    ]),
  );

  const feeHistory = perArgument((period: HistoryPeriod) =>
    resource(`fee-history/${period}`, `block fee history (${period})`, TTL_MS.history, [
      fromMempool(() => json(mempool, `/v1/mining/blocks/fees/${period}`, feeHistorySchema)),
    ]),
  );

  const poolHistory = perArgument((period: HistoryPeriod) =>
    resource(`pool-history/${period}`, `weekly pool shares (${period})`, TTL_MS.history, [
      fromMempool(() => json(mempool, `/v1/mining/hashrate/pools/${period}`, poolHistorySchema)),
    ]),
  );

  const priceHistory = resource('price-history', 'BTC price history', TTL_MS.priceHistory, [
    fromMempool(() => json(mempool, '/v1/historical-price?currency=USD', priceHistorySchema)),
  ]);

  return {
    sourceNames: { primary: mempool.source, priceFallback: coinbase?.source, chainFallback: bcinfo?.source },
    tip: () => tip.get(),
    network: () => network.get(),
    difficultyAdjustment: () => difficultyAdjustment.get(),
    rewardStats: (blocks) =>
      Number.isInteger(blocks) && blocks >= 1 && blocks <= 100_000
        ? rewardStats(blocks).get()
        : Promise.reject(new RangeError(`blocks must be a whole number from 1 to 100000, got ${blocks}`)),
    prices: () => prices.get(),
    hashrateHistory: (period) => checked(period, HISTORY_PERIODS, 'period') ?? hashrateHistory(period).get(),
    pools: (window) => checked(window, POOL_WINDOWS, 'window') ?? pools(window).get(),
    recommendedFees: () => recommendedFees.get(),
    rewardHistory: (period) => checked(period, HISTORY_PERIODS, 'period') ?? rewardHistory(period).get(),
    feeHistory: (period) => checked(period, HISTORY_PERIODS, 'period') ?? feeHistory(period).get(),
    poolHistory: (period) => checked(period, HISTORY_PERIODS, 'period') ?? poolHistory(period).get(),
    priceHistory: () => priceHistory.get(),
    callCounts: () => ({ ...counts }),
  };
}
