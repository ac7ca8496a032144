/**
 * A local stand-in for the three upstreams the bot reads (mempool.space REST, Coinbase exchange rates,
 * blockchain.info plain-text queries), served over a real socket. Recorded fixtures where we have them,
 * generated history (see world.ts) where we do not, and switches for the failures the bot must survive.
 *
 * What each mempool route answers at its edges follows mempool's backend source (mempool/mempool,
 * cited beside each behaviour): the oldest rows of unfiltered history, the real resolution of each
 * history, the placeholders it sends while its own node or price feeds are down (`setEdge`), and the
 * status and body of a bad query.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import {
  AVG_FEES_SATS,
  COINBASE_EUR,
  COINBASE_USD,
  CURRENT_HASHRATE,
  DAY_SEC,
  BUCKET_SEC,
  DIFFICULTY,
  FIRST_PRICED_HEIGHT,
  OLDEST_PRICE_ROW,
  PERIOD_DAYS,
  PRICE_USD,
  SUBSIDY_SATS,
  LAST_RETARGET_HEIGHT,
  TIP_DAY,
  TIP_HEIGHT,
  TIP_TIME_SEC,
  TOTAL_TX_144,
  difficultyEntries,
  feesOfBlock,
  hashrateAt,
  priceRows,
  subsidySatsAt,
  type Period,
} from './world.ts';

type Fault =
  | { kind: '500' }
  /** Accept the request and never answer. */
  | { kind: 'timeout' }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed' }
  /** 200 with valid JSON of the wrong shape. */
  | { kind: 'drift' }
  /** 429 with Retry-After; after `times` such answers the route recovers. */
  | { kind: '429'; retryAfterSec: number; times?: number };

/**
 * Conditions of the real server that are not failures of the HTTP kind:
 * - nodeDown: mempool cannot reach its Bitcoin Core (current hashrate and difficulty 0, no difficulty
 *   estimate, mempool not in sync so no fee recommendation);
 * - priceFeedDown: every exchange feed failed since start (prices all -1 with time 0; no hourly rows for
 *   the last 6 hours, so the newest blocks have no linked price and drop out of the reward history);
 * - placeholders: the odd rows a long-running instance accumulates (a day it indexed no block → hashrate
 *   0, a price its sanity check clamped to 0).
 */
export type Edge = 'nodeDown' | 'priceFeedDown' | 'placeholders';

export interface FakeMempool {
  /** → MEMPOOL_API_URL */
  apiUrl: string;
  /** → PRICE_FALLBACK_URL (serves GET /v2/exchange-rates?currency=BTC) */
  priceFallbackUrl: string;
  /** → CHAIN_FALLBACK_URL (serves GET /q/getdifficulty, /q/hashrate in GH/s, /q/getblockcount) */
  chainFallbackUrl: string;
  /** The three URL variables pointing the bot at this fake, to spread into a config or process env. */
  env: { MEMPOOL_API_URL: string; PRICE_FALLBACK_URL: string; CHAIN_FALLBACK_URL: string };
  /** Requests received, optionally only those whose path starts with prefix (e.g. '/api/v1/prices'). */
  hits(pathPrefix?: string): number;
  resetHits(): void;
  /** Applies to every request whose path starts with prefix ('' = all). */
  setFault(pathPrefix: string, fault: Fault): void;
  clearFaults(): void;
  /** Slow but successful answers. */
  setDelay(pathPrefix: string, ms: number): void;
  setPriceUsd(usd: number): void;
  setDifficulty(d: number): void;
  setFeesPerBlockSats(sats: number): void;
  setEdge(edge: Edge, on: boolean): void;
  close(): Promise<void>;
}

const fixture = (path: string): any => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));

const BLOCKS = fixture('mempool/2025-04-01/v1-blocks.json') as any[];
const PRICES = fixture('mempool/2024-03-31/v1-prices.json') as Record<string, number>;
const DIFFICULTY_ADJUSTMENT = fixture('mempool/2024-03-31/v1-difficulty-adjustment.json');
/**
 * The recorded adjustment (2024-03-31) keeps its rates and percentages but is re-timed to the tip of
 * the 2025-04-01 blocks, so the epoch, blocks left and ETA agree with the chain the fake serves.
 */
const DIFFICULTY_ADJUSTMENT_AT_TIP = (() => {
  const recorded = DIFFICULTY_ADJUSTMENT as Record<string, number>;
  const nextRetargetHeight = LAST_RETARGET_HEIGHT + 2016;
  const remainingBlocks = nextRetargetHeight - TIP_HEIGHT;
  const remainingTime = remainingBlocks * recorded.timeAvg!;
  return {
    ...recorded,
    progressPercent: ((2016 - remainingBlocks) / 2016) * 100,
    remainingBlocks,
    remainingTime,
    estimatedRetargetDate: TIP_TIME_SEC * 1000 + remainingTime,
    nextRetargetHeight,
    previousTime: TIP_TIME_SEC - (TIP_HEIGHT - LAST_RETARGET_HEIGHT) * 600,
  };
})();
const FEES_RECOMMENDED = fixture('mempool/2024-03-31/v1-fees-recommended.json');
const POOLS_1W = fixture('mempool/2025-04-01/v1-mining-pools-1w.json') as { pools: any[]; blockCount: number };

const POOL_WINDOW_BLOCKS: Record<string, number> = {
  '24h': 144,
  '3d': 432,
  '1w': 1008,
  '1m': 4320,
  '3m': 12960,
  '6m': 25920,
  '1y': 52560,
  '2y': 105120,
  '3y': 157680,
};

/**
 * The recorded 1w pool mix scaled to `total` blocks with integer counts (largest remainder), pools that
 * round to nothing dropped, except "Unknown", which real answers always list.
 */
function scaledPools(total: number): { pools: any[]; blockCount: number } {
  const share = POOLS_1W.pools.map((p) => (p.blockCount * total) / POOLS_1W.blockCount);
  const counts = share.map(Math.floor);
  const order = share.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0, left = total - counts.reduce((a, b) => a + b, 0); k < left; k++) counts[order[k]!.i]!++;
  const unknown = POOLS_1W.pools.findIndex((p) => p.slug === 'unknown');
  if (counts[unknown] === 0) {
    counts[unknown] = 1;
    counts[counts.indexOf(Math.max(...counts))]!--;
  }
  const pools = POOLS_1W.pools
    .map((p, i) => ({ ...p, blockCount: counts[i]! }))
    .filter((p) => p.blockCount > 0)
    .sort((a, b) => b.blockCount - a.blockCount)
    .map((p, i) => ({ ...p, rank: i + 1 }));
  return { ...POOLS_1W, pools, blockCount: total };
}

interface World {
  priceUsd: number;
  difficulty: number;
  feesSats: number;
  edges: Set<Edge>;
}

/** Days covered by a period, newest last: day d is `d` days before the tip. */
function daysOf(period: Period): number[] {
  const n = PERIOD_DAYS[period];
  return Array.from({ length: n + 1 }, (_, i) => n - i);
}

/** The genesis block's header time and difficulty (the first rows of unfiltered mining history). */
const GENESIS = { time: 1231006505, difficulty: 1 };
/**
 * The oldest rows of `/v1/mining/hashrate/all`: `$generateNetworkHashrateHistory` (backend/src/api/mining/
 * mining.ts) adds the genesis block by hand, and stores 0 for every day it found no block (block 1 came
 * on 2009-01-09); daily rows sit at UTC midnight. The generated world resumes six years before the tip.
 */
const OLDEST_HASHRATES = [
  { timestamp: GENESIS.time, avgHashrate: 7158278.826666667 },
  ...[1231027200, 1231113600, 1231200000, 1231286400, 1231372800].map((timestamp) => ({ timestamp, avgHashrate: 0 })),
  { timestamp: 1231545600, avgHashrate: 2236962.133333333 },
];
/**
 * The oldest rows of the unfiltered difficulty list: `$indexDifficultyAdjustments` saves height 0 with
 * `adjustment: 0.0` (no earlier epoch), then the first real retarget, 2009-12-30 at height 32,256.
 */
const OLDEST_DIFFICULTY = [
  { time: GENESIS.time, height: 0, difficulty: GENESIS.difficulty, adjustment: 0 },
  { time: 1262152739, height: 32256, difficulty: 1.182899534312841, adjustment: 1.182899 },
];

/**
 * `/v1/mining/hashrate/{period}` (mining-routes.ts `$getHistoricalHashrate`): daily hashrates and the
 * difficulty adjustments of the period (HashratesRepository `$getNetworkDailyHashrate`,
 * DifficultyAdjustmentsRepository `$getAdjustments`, oldest first); 'all' and an unknown period are
 * unfiltered (Common.getSqlInterval → null). currentHashrate and currentDifficulty come from Bitcoin
 * Core and are 0 when it cannot be reached ("using zeroed value").
 */
function hashrateBody(period: Period | 'unfiltered', w: World) {
  const all = period === 'all' || period === 'unfiltered';
  const days = daysOf(all ? 'all' : period);
  // Daily rows sit at UTC midnight (`$generateNetworkHashrateHistory`: hashrateTimestamp = a midnight).
  const hashrates = days.map((d) => ({ timestamp: (TIP_DAY - d) * DAY_SEC, avgHashrate: hashrateAt(d) }));
  // A day the indexer saw no block: 0, not a measurement.
  if (w.edges.has('placeholders')) hashrates[hashrates.length - 3]!.avgHashrate = 0;
  const nodeDown = w.edges.has('nodeDown');
  return {
    hashrates: all ? [...OLDEST_HASHRATES, ...hashrates] : hashrates,
    difficulty: [
      ...(all ? OLDEST_DIFFICULTY : []),
      ...difficultyEntries(TIP_TIME_SEC - PERIOD_DAYS[all ? 'all' : period] * DAY_SEC, w.difficulty),
    ],
    currentHashrate: nodeDown ? 0 : CURRENT_HASHRATE,
    currentDifficulty: nodeDown ? 0 : w.difficulty,
  };
}

/** The prices table (oldest first) as the world and its edges have it; built once per world state. */
const tables = new Map<string, { time: number; USD: number }[]>();
function pricesTable(w: World): { time: number; USD: number }[] {
  const key = `${w.priceUsd}|${[...w.edges].sort().join(',')}`;
  let t = tables.get(key);
  if (!t) tables.set(key, (t = buildPricesTable(w)));
  return t;
}
function buildPricesTable(w: World): { time: number; USD: number }[] {
  // While the feeds are down no hourly row is written (price-updater.ts: `$savePrices` skips USD -1).
  const rows = priceRows(w.priceUsd, w.edges.has('priceFeedDown') ? TIP_TIME_SEC - 6 * 3600 : TIP_TIME_SEC);
  // PricesRepository `$savePrices` sanity check: an out-of-range price is stored as 0.
  if (w.edges.has('placeholders')) rows[rows.length - 30] = { ...rows[rows.length - 30]!, USD: 0 };
  return rows;
}

/**
 * `/v1/mining/blocks/{rewards,fees}/{period}` (BlocksRepository `$getHistoricalBlockRewards` /
 * `$getHistoricalBlockFees`): blocks of the period grouped by `UNIX_TIMESTAMP(blockTimestamp) DIV div`
 * (div from mining.ts `getTimeRange`: 5 min for 1w … 24 h unfiltered), each row the integer averages of
 * height, time and reward (or fees), and the USD of one of the bucket's blocks (USD is not aggregated);
 * blocks without a linked price are left out by the JOIN. Oldest first.
 *
 * A block's price is the first price row after it, or the oldest row below height 68,951
 * (backend/src/api/mining/mining.ts `$indexBlockPrices`); a block newer than every row has none yet.
 */
function blockBuckets(period: Period | 'unfiltered', w: World, column: 'avgRewards' | 'avgFees') {
  const unfiltered = period === 'unfiltered' || period === 'all';
  const div = BUCKET_SEC[unfiltered ? 'all' : period];
  const table = pricesTable(w);
  const fromSec = unfiltered ? Number.NEGATIVE_INFINITY : TIP_TIME_SEC - PERIOD_DAYS[period] * DAY_SEC;
  const rows: Record<string, number>[] = [];
  let acc: { key: number; n: number; height: number; time: number; value: number; usd: number } | undefined;
  const flush = () => {
    if (acc)
      rows.push({
        avgHeight: Math.round(acc.height / acc.n),
        timestamp: Math.round(acc.time / acc.n),
        [column]: Math.round(acc.value / acc.n),
        USD: acc.usd,
      });
  };
  let fees = 0;
  let feesDay = Number.NaN;
  // Blocks newest first: the bucket key and "the first price row after the block" only move down.
  let next = table.length;
  for (let height = TIP_HEIGHT, time = TIP_TIME_SEC; height >= 0 && time >= fromSec; height--, time -= 600) {
    while (next > 0 && table[next - 1]!.time > time) next--;
    const usd = height < FIRST_PRICED_HEIGHT ? OLDEST_PRICE_ROW.USD : table[next]?.USD;
    if (usd === undefined) continue;
    const day = Math.floor(time / DAY_SEC);
    if (day !== feesDay) {
      feesDay = day;
      fees = feesOfBlock({ height, time }, w.feesSats);
    }
    const key = Math.floor(time / div);
    if (!acc || acc.key !== key) {
      flush();
      acc = { key, n: 0, height: 0, time: 0, value: 0, usd };
    }
    acc.n += 1;
    acc.height += height;
    acc.time += time;
    acc.value += column === 'avgFees' ? fees : subsidySatsAt(height) + fees;
    acc.usd = usd; // the bucket keeps its oldest block's price
  }
  flush();
  return rows.reverse();
}

/**
 * Weekly pool shares as mempool/mempool backend/src/repositories/HashratesRepository.ts
 * ($getPoolsWeeklyHashrate) returns them: { timestamp, avgHashrate, share, poolName } per pool per
 * week, ordered by week, for the pools that found blocks in the last week. mempool's weeks end on a
 * Monday at 00:00 (backend/src/api/mining/mining.ts, $generatePoolHashrateHistory): here the last is
 * 2025-03-31, the Monday before the tip. Each week is the recorded 1w mix, except that going back k
 * weeks Foundry USA found 4·k fewer of the 1,024 blocks and ViaBTC 4·k more (Foundry's share grew since;
 * a year back ViaBTC leads and two pools found more than half).
 */
const LAST_MONDAY_SEC = Math.floor((TIP_TIME_SEC / DAY_SEC - 4) / 7) * 7 * DAY_SEC + 4 * DAY_SEC;
function poolHistoryBody(period: Period | 'unfiltered') {
  const rows: { timestamp: number; avgHashrate: number; share: number; poolName: string }[] = [];
  // Unfiltered (an interval Common.getSqlInterval does not know) is every indexed week: the fake's 'all'.
  const days = PERIOD_DAYS[period === 'unfiltered' ? 'all' : period];
  for (let k = 0; LAST_MONDAY_SEC - k * 7 * DAY_SEC >= TIP_TIME_SEC - days * DAY_SEC; k++) {
    for (const p of POOLS_1W.pools) {
      // The drift stops a year back, so no pool's count goes below zero in the longer histories.
      const drift = 4 * Math.min(k, 52);
      const shift = p.slug === 'foundryusa' ? -drift : p.slug === 'viabtc' ? drift : 0;
      const share = (p.blockCount + shift) / POOLS_1W.blockCount;
      rows.push({ timestamp: LAST_MONDAY_SEC - k * 7 * DAY_SEC, avgHashrate: share * CURRENT_HASHRATE, share, poolName: p.name });
    }
  }
  return rows.sort((x, y) => x.timestamp - y.timestamp);
}

/**
 * `/v1/historical-price` (mining-routes.ts `$getHistoricalPrice` → PricesRepository): every row with
 * USD >= 0, newest first, plus exchange rates from the newest row; with `timestamp`, the newest row at
 * or before it (a fake 2010-07-19 row of 0 before any price).
 */
function historicalPriceBody(w: World, timestamp?: number) {
  const exchangeRates = { USDEUR: 0.93, USDGBP: 0.79, USDCAD: 1.36, USDCHF: 0.9, USDAUD: 1.54, USDJPY: 151.7 };
  const rows = pricesTable(w).filter((r) => r.USD >= 0);
  if (timestamp === undefined) return { prices: rows.reverse(), exchangeRates };
  const before = rows.filter((r) => r.time <= timestamp).at(-1);
  return { prices: [before ?? { time: 1279497600, USD: 0 }], exchangeRates };
}

function isPeriod(s: string | undefined, allowed: readonly string[]): s is Period {
  return s !== undefined && allowed.includes(s);
}

type Answer = { status: number; body: string; type: string; headers?: Record<string, string> };
const json = (v: unknown): Answer => ({ status: 200, body: JSON.stringify(v), type: 'application/json' });
const text = (v: string): Answer => ({ status: 200, body: v, type: 'text/plain' });
const notFound: Answer = { status: 404, body: 'Not Found', type: 'text/plain' };

function route(url: URL, w: World): Answer {
  const p = url.pathname;
  if (p.startsWith('/api/')) return routeMempool(p.slice('/api'.length), url.searchParams, w);
  if (p === '/coinbase/v2/exchange-rates') {
    if (url.searchParams.get('currency') !== 'BTC')
      return {
        status: 400,
        body: JSON.stringify({ errors: [{ id: 'invalid_request', message: 'Invalid currency' }] }),
        type: 'application/json',
      };
    const scale = w.priceUsd / PRICE_USD;
    const rates: Record<string, string> = {};
    for (const [k, v] of Object.entries(PRICES)) if (k !== 'time') rates[k] = String(Math.round(v * scale * 100) / 100);
    rates.USD = String(Math.round((COINBASE_USD + (w.priceUsd - PRICE_USD)) * 100) / 100);
    rates.EUR = String(Math.round(COINBASE_EUR * scale * 100) / 100);
    rates.USDC = rates.USD;
    rates.BTC = '1.0';
    return json({ data: { currency: 'BTC', rates } });
  }
  if (p === '/bcinfo/q/getdifficulty') return text(String(w.difficulty));
  if (p === '/bcinfo/q/hashrate') return text(String(CURRENT_HASHRATE / 1e9));
  if (p === '/bcinfo/q/getblockcount') return text(String(TIP_HEIGHT));
  return notFound;
}

/** mempool's error helper (backend/src/utils/api.ts `handleError`): `{ error }` as JSON to a client that accepts JSON. */
const mempoolError = (status: number, error: string): Answer => ({ status, body: JSON.stringify({ error }), type: 'application/json' });

const HISTORY_PERIODS = ['24h', '3d', '1w', '1m', '3m', '6m', '1y', '2y', '3y', 'all'] as const;

/** Generated history bodies are the same for the same world: built once per world state. */
const bodyCache = new Map<string, Answer>();
function cached(key: string, w: World, make: () => unknown): Answer {
  const full = `${key}|${w.priceUsd}|${w.difficulty}|${w.feesSats}|${[...w.edges].sort().join(',')}`;
  let a = bodyCache.get(full);
  if (!a) {
    if (bodyCache.size > 200) bodyCache.clear();
    bodyCache.set(full, (a = json(make())));
  }
  return a;
}

function routeMempool(p: string, q: URLSearchParams, w: World): Answer {
  if (p === '/v1/blocks') return json(BLOCKS.map((b) => ({ ...b, difficulty: w.difficulty })));
  if (p === '/blocks/tip/height') return text(String(TIP_HEIGHT));
  if (p === '/v1/prices') {
    // price-updater.ts: a fresh instance whose feeds all failed serves getEmptyPricesObj(): time 0, -1 everywhere.
    if (w.edges.has('priceFeedDown')) return json({ time: 0, USD: -1, EUR: -1, GBP: -1, CAD: -1, CHF: -1, AUD: -1, JPY: -1 });
    const scale = w.priceUsd / PRICE_USD;
    const out: Record<string, number> = {};
    // The recording is a year older than the tip; its time is moved to the tip so "now" is one moment.
    for (const [k, v] of Object.entries(PRICES)) out[k] = k === 'time' ? TIP_TIME_SEC : k === 'USD' ? w.priceUsd : Math.round(v * scale);
    return json(out);
  }
  if (p === '/v1/difficulty-adjustment') {
    // bitcoin.routes.ts `getDifficultyChange`: no block read from the node yet → 503.
    if (w.edges.has('nodeDown')) return mempoolError(503, 'Service Temporarily Unavailable');
    return json(DIFFICULTY_ADJUSTMENT_AT_TIP);
  }
  if (p === '/v1/fees/recommended') {
    // bitcoin.routes.ts `getRecommendedFees`: mempool not in sync → 503 with a plain-text body.
    if (w.edges.has('nodeDown')) return { status: 503, body: 'Service Unavailable', type: 'text/html; charset=utf-8' };
    return json(FEES_RECOMMENDED);
  }
  const parts = p.split('/').filter(Boolean);
  if (parts[0] !== 'v1') return notFound;
  const [, a, b, c, d] = parts;
  if (a === 'mining' && b === 'pools' && c !== undefined && d === undefined) {
    // mining.ts `$getPoolsStats` → PoolsRepository `$getPoolsInfo`: an interval Common.getSqlInterval does
    // not know counts every block; the estimated hashrates come from Bitcoin Core and are 0 without it.
    const body = c === '1w' ? POOLS_1W : scaledPools(POOL_WINDOW_BLOCKS[c] ?? TIP_HEIGHT + 1);
    if (!w.edges.has('nodeDown')) return json(body);
    return json({ ...body, lastEstimatedHashrate: 0, lastEstimatedHashrate3d: 0, lastEstimatedHashrate1w: 0 });
  }
  if (a === 'mining' && b === 'reward-stats' && c !== undefined && d === undefined) {
    // mining-routes.ts `$getRewardStats`: parseInt of the path; NaN fails the SQL LIMIT → 500.
    const n = parseInt(c, 10);
    if (Number.isNaN(n) || n < 0) return mempoolError(500, 'Failed to get reward stats');
    // BlocksRepository `$getBlockStats`: MIN/MAX/SUM over no rows (LIMIT 0) are NULL.
    if (n === 0) return json({ startBlock: null, endBlock: null, totalReward: null, totalFee: null, totalTx: null });
    return json({
      startBlock: TIP_HEIGHT - n + 1,
      endBlock: TIP_HEIGHT,
      totalReward: String(n * (SUBSIDY_SATS + w.feesSats)),
      totalFee: String(n * w.feesSats),
      totalTx: String(Math.round((TOTAL_TX_144 * n) / 144)),
    });
  }
  // Any interval matches the route; one Common.getSqlInterval does not know is the unfiltered history.
  const periodOf = (x: string): Period | 'unfiltered' => (isPeriod(x, HISTORY_PERIODS) ? x : 'unfiltered');
  if (a === 'mining' && b === 'hashrate' && c !== undefined && c !== 'pools' && d === undefined) {
    return cached(`hashrate/${periodOf(c)}`, w, () => hashrateBody(periodOf(c), w));
  }
  if (a === 'mining' && b === 'blocks' && (c === 'rewards' || c === 'fees') && d !== undefined) {
    return cached(`${c}/${periodOf(d)}`, w, () => blockBuckets(periodOf(d), w, c === 'rewards' ? 'avgRewards' : 'avgFees'));
  }
  if (a === 'mining' && b === 'hashrate' && c === 'pools' && d !== undefined) return json(poolHistoryBody(periodOf(d)));
  if (a === 'historical-price' && b === undefined) {
    const t = q.get('timestamp');
    const currency = q.get('currency') ?? 'USD';
    // A currency without a price: the repository returns null and `res.status(200).send(null)` is an empty body.
    if (currency !== 'USD') return { status: 200, body: '', type: 'text/html; charset=utf-8' };
    // `parseInt(req.query.timestamp) || 0`: no usable timestamp means the whole history.
    const at = t === null ? 0 : parseInt(t, 10) || 0;
    return at ? json(historicalPriceBody(w, at)) : cached('historical-price', w, () => historicalPriceBody(w));
  }
  return notFound;
}

/** Valid JSON that matches none of the real shapes (an upstream that changed its API). */
const DRIFTED = JSON.stringify({ status: 'ok', data: { items: [] }, version: 2 });

export async function startFakeMempool(opts: { port?: number } = {}): Promise<FakeMempool> {
  const world: World = { priceUsd: PRICE_USD, difficulty: DIFFICULTY, feesSats: AVG_FEES_SATS, edges: new Set() };
  const hitLog: string[] = [];
  let faults: { prefix: string; fault: Fault; left: number }[] = [];
  let delays: { prefix: string; ms: number }[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const answer = (res: ServerResponse, a: Answer) => {
    res.writeHead(a.status, { 'content-type': a.type, ...a.headers });
    res.end(a.body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    hitLog.push(path);
    if (req.method !== 'GET') return answer(res, { status: 405, body: 'Method Not Allowed', type: 'text/plain' });

    const f = faults.find((x) => path.startsWith(x.prefix));
    if (f) {
      if (f.fault.kind === '429') {
        if (--f.left <= 0) faults = faults.filter((x) => x !== f);
        return answer(res, {
          status: 429,
          body: 'Too Many Requests',
          type: 'text/plain',
          headers: { 'retry-after': String(f.fault.retryAfterSec) },
        });
      }
      if (f.fault.kind === 'timeout') return; // hold the socket open; close() destroys it
      if (f.fault.kind === '500') return answer(res, { status: 500, body: 'Internal Server Error', type: 'text/plain' });
      if (f.fault.kind === 'malformed')
        return answer(res, { status: 200, body: '{"time": 1711854906, "USD": 6988', type: 'application/json' });
      if (f.fault.kind === 'drift') return answer(res, { status: 200, body: DRIFTED, type: 'application/json' });
    }
    const result = route(url, world);
    const delay = delays.find((x) => path.startsWith(x.prefix));
    if (!delay) return answer(res, result);
    const t = setTimeout(() => {
      timers.delete(t);
      answer(res, result);
    }, delay.ms);
    timers.add(t);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      answer(res, { status: 500, body: `fake mempool bug: ${String(err)}`, type: 'text/plain' });
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${base}/api`,
    priceFallbackUrl: `${base}/coinbase`,
    chainFallbackUrl: `${base}/bcinfo`,
    env: { MEMPOOL_API_URL: `${base}/api`, PRICE_FALLBACK_URL: `${base}/coinbase`, CHAIN_FALLBACK_URL: `${base}/bcinfo` },
    hits: (prefix = '') => hitLog.filter((p) => p.startsWith(prefix)).length,
    resetHits: () => {
      hitLog.length = 0;
    },
    setFault: (prefix, fault) => {
      faults = [
        { prefix, fault, left: fault.kind === '429' ? (fault.times ?? Infinity) : Infinity },
        ...faults.filter((x) => x.prefix !== prefix),
      ];
    },
    clearFaults: () => {
      faults = [];
    },
    setDelay: (prefix, ms) => {
      delays = [{ prefix, ms }, ...delays.filter((x) => x.prefix !== prefix)];
    },
    setPriceUsd: (usd) => {
      world.priceUsd = usd;
    },
    setDifficulty: (d) => {
      world.difficulty = d;
    },
    setFeesPerBlockSats: (sats) => {
      world.feesSats = sats;
    },
    setEdge: (edge, on) => {
      if (on) world.edges.add(edge);
      else world.edges.delete(edge);
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}
