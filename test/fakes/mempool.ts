/**
 * A local stand-in for the three upstreams the bot reads (mempool.space REST, Coinbase exchange rates,
 * blockchain.info plain-text queries), served over a real socket. Recorded fixtures where we have them,
 * generated history (see world.ts) where we do not, and switches for the failures the bot must survive.
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
  DIFFICULTY,
  PERIOD_DAYS,
  PRICE_HISTORY_DAYS,
  PRICE_USD,
  SUBSIDY_SATS,
  LAST_RETARGET_HEIGHT,
  TIP_HEIGHT,
  TIP_TIME_SEC,
  TOTAL_TX_144,
  difficultyEntries,
  feesAt,
  hashrateAt,
  heightAt,
  priceAt,
  subsidySatsAt,
  type Period,
} from './world.ts';

export type Fault =
  | { kind: '500' }
  /** Accept the request and never answer. */
  | { kind: 'timeout' }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed' }
  /** 200 with valid JSON of the wrong shape. */
  | { kind: 'drift' }
  /** 429 with Retry-After; after `times` such answers the route recovers. */
  | { kind: '429'; retryAfterSec: number; times?: number };

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

const POOL_WINDOW_BLOCKS: Record<string, number> = { '24h': 144, '3d': 432, '1w': 1008, '1m': 4320, '3m': 12960, '6m': 25920, '1y': 52560 };

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
}

/** Days covered by a period, newest last: day d is `d` days before the tip. */
function daysOf(period: Period): number[] {
  const n = PERIOD_DAYS[period];
  return Array.from({ length: n + 1 }, (_, i) => n - i);
}

function hashrateBody(period: Period, w: World) {
  const days = daysOf(period);
  return {
    hashrates: days.map((d) => ({ timestamp: TIP_TIME_SEC - d * DAY_SEC, avgHashrate: hashrateAt(d) })),
    difficulty: difficultyEntries(TIP_TIME_SEC - PERIOD_DAYS[period] * DAY_SEC, w.difficulty),
    currentHashrate: CURRENT_HASHRATE,
    currentDifficulty: w.difficulty,
  };
}

function rewardsBody(period: Period, w: World) {
  return daysOf(period).map((d) => {
    const avgHeight = heightAt(d);
    return { avgHeight, timestamp: TIP_TIME_SEC - d * DAY_SEC, avgRewards: subsidySatsAt(avgHeight) + feesAt(d, w.feesSats), USD: priceAt(d, w.priceUsd) };
  });
}

function feesBody(period: Period, w: World) {
  return daysOf(period).map((d) => ({ avgHeight: heightAt(d), timestamp: TIP_TIME_SEC - d * DAY_SEC, avgFees: feesAt(d, w.feesSats), USD: priceAt(d, w.priceUsd) }));
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
function poolHistoryBody(period: Period) {
  const rows: { timestamp: number; avgHashrate: number; share: number; poolName: string }[] = [];
  for (let k = 0; LAST_MONDAY_SEC - k * 7 * DAY_SEC >= TIP_TIME_SEC - PERIOD_DAYS[period] * DAY_SEC; k++) {
    for (const p of POOLS_1W.pools) {
      const shift = p.slug === 'foundryusa' ? -4 * k : p.slug === 'viabtc' ? 4 * k : 0;
      const share = (p.blockCount + shift) / POOLS_1W.blockCount;
      rows.push({ timestamp: LAST_MONDAY_SEC - k * 7 * DAY_SEC, avgHashrate: share * CURRENT_HASHRATE, share, poolName: p.name });
    }
  }
  return rows.sort((x, y) => x.timestamp - y.timestamp);
}

/** Like mempool: newest first. */
function historicalPriceBody(w: World, timestamp?: number) {
  const prices = Array.from({ length: PRICE_HISTORY_DAYS + 1 }, (_, d) => ({ time: TIP_TIME_SEC - d * DAY_SEC, USD: priceAt(d, w.priceUsd) }));
  const exchangeRates = { USDEUR: 0.9276, USDGBP: 0.7899, USDCAD: 1.3617, USDCHF: 0.9021, USDAUD: 1.5366, USDJPY: 151.7 };
  if (timestamp === undefined) return { prices, exchangeRates };
  const nearest = prices.reduce((a, b) => (Math.abs(b.time - timestamp) < Math.abs(a.time - timestamp) ? b : a));
  return { prices: [nearest], exchangeRates };
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
    if (url.searchParams.get('currency') !== 'BTC') return { status: 400, body: JSON.stringify({ errors: [{ id: 'invalid_request', message: 'Invalid currency' }] }), type: 'application/json' };
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

function routeMempool(p: string, q: URLSearchParams, w: World): Answer {
  if (p === '/v1/blocks') return json(BLOCKS.map((b) => ({ ...b, difficulty: w.difficulty })));
  if (p === '/blocks/tip/height') return text(String(TIP_HEIGHT));
  if (p === '/v1/prices') {
    const scale = w.priceUsd / PRICE_USD;
    const out: Record<string, number> = {};
    // The recording is a year older than the tip; its time is moved to the tip so "now" is one moment.
    for (const [k, v] of Object.entries(PRICES)) out[k] = k === 'time' ? TIP_TIME_SEC : k === 'USD' ? w.priceUsd : Math.round(v * scale);
    return json(out);
  }
  if (p === '/v1/difficulty-adjustment') return json(DIFFICULTY_ADJUSTMENT_AT_TIP);
  if (p === '/v1/fees/recommended') return json(FEES_RECOMMENDED);
  const parts = p.split('/').filter(Boolean);
  if (parts[0] !== 'v1') return notFound;
  const [, a, b, c, d] = parts;
  if (a === 'mining' && b === 'pools' && c !== undefined && d === undefined) {
    if (c === '1w') return json(POOLS_1W);
    const blocks = POOL_WINDOW_BLOCKS[c];
    return blocks ? json(scaledPools(blocks)) : notFound;
  }
  if (a === 'mining' && b === 'reward-stats' && c !== undefined && d === undefined && /^\d+$/.test(c)) {
    const n = Number(c);
    if (n < 1) return notFound;
    return json({
      startBlock: TIP_HEIGHT - n + 1,
      endBlock: TIP_HEIGHT,
      totalReward: String(n * (SUBSIDY_SATS + w.feesSats)),
      totalFee: String(n * w.feesSats),
      totalTx: String(Math.round((TOTAL_TX_144 * n) / 144)),
    });
  }
  if (a === 'mining' && b === 'hashrate' && d === undefined && isPeriod(c, ['24h', '3d', '1w', '1m', '3m', '6m', '1y', '2y', '3y', 'all'])) return json(hashrateBody(c, w));
  const historyPeriods = ['24h', '3d', '1w', '1m', '3m', '6m', '1y', '2y', '3y', 'all'];
  if (a === 'mining' && b === 'blocks' && c === 'rewards' && isPeriod(d, historyPeriods)) return json(rewardsBody(d, w));
  if (a === 'mining' && b === 'blocks' && c === 'fees' && isPeriod(d, historyPeriods)) return json(feesBody(d, w));
  if (a === 'mining' && b === 'hashrate' && c === 'pools' && isPeriod(d, historyPeriods)) return json(poolHistoryBody(d));
  if (a === 'historical-price' && b === undefined) {
    if ((q.get('currency') ?? 'USD') !== 'USD') return notFound;
    const t = q.get('timestamp');
    return json(historicalPriceBody(w, t === null ? undefined : Number(t)));
  }
  return notFound;
}

/** Valid JSON that matches none of the real shapes (an upstream that changed its API). */
const DRIFTED = JSON.stringify({ status: 'ok', data: { items: [] }, version: 2 });

export async function startFakeMempool(opts: { port?: number } = {}): Promise<FakeMempool> {
  const world: World = { priceUsd: PRICE_USD, difficulty: DIFFICULTY, feesSats: AVG_FEES_SATS };
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
        return answer(res, { status: 429, body: 'Too Many Requests', type: 'text/plain', headers: { 'retry-after': String(f.fault.retryAfterSec) } });
      }
      if (f.fault.kind === 'timeout') return; // hold the socket open; close() destroys it
      if (f.fault.kind === '500') return answer(res, { status: 500, body: 'Internal Server Error', type: 'text/plain' });
      if (f.fault.kind === 'malformed') return answer(res, { status: 200, body: '{"time": 1711854906, "USD": 6988', type: 'application/json' });
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
      faults = [{ prefix, fault, left: fault.kind === '429' ? (fault.times ?? Infinity) : Infinity }, ...faults.filter((x) => x.prefix !== prefix)];
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
