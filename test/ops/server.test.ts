/**
 * The operator endpoints over a real socket: /healthz, /readyz in both states, /metrics as Prometheus
 * text whose counters move when the bot works, and nothing else served.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { CommandContext } from '../../src/core/command.ts';
import type { Market } from '../../src/core/market.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { createMetrics, type BotMetrics, type OutboxBacklog } from '../../src/ops/metrics.ts';
import type { Role } from '../../src/cluster/leadership.ts';
import { startOpsServer, type OpsServer } from '../../src/ops/server.ts';
import { createMarket } from '../../src/sources/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { parsePrometheusText, sampleValue, type Sample } from './prometheus-text.ts';

/** A healthy local server answers at once; this only bounds a broken one. */
const HTTP_TIMEOUT_MS = 10_000;

interface World {
  store: () => Promise<void>;
  platforms: Record<string, boolean>;
  role: Role;
  backlog: () => Promise<OutboxBacklog>;
}

let servers: OpsServer[] = [];

async function serve(world: Partial<World> = {}): Promise<{ url: string; metrics: BotMetrics; world: World }> {
  const w: World = {
    store: async () => undefined,
    platforms: { telegram: true, discord: true },
    role: 'single',
    backlog: async () => ({ pending: 0, sending: 0 }),
    ...world,
  };
  const metrics = createMetrics({ backlog: () => w.backlog(), role: () => w.role });
  const server = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    registry: metrics.registry,
    logger: silentLogger,
    readiness: { store: () => w.store(), platforms: () => w.platforms, role: () => w.role },
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${server.port}`, metrics, world: w };
}

const get = (url: string, init: RequestInit = {}) => fetch(url, { ...init, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });

async function scrape(url: string): Promise<Sample[]> {
  const res = await get(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe('GET /healthz', () => {
  it('answers 200 ok while the process runs, even when nothing else is ready', async () => {
    const { url } = await serve({ store: () => Promise.reject(new Error('down')), platforms: { telegram: false } });
    const res = await get(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  });

  it('answers HEAD like GET, without a body', async () => {
    const { url } = await serve();
    const res = await get(`${url}/healthz`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});

describe('GET /readyz', () => {
  it('is 200 when the store answers and every platform is connected, and says the role', async () => {
    const { url } = await serve({ role: 'follower' });
    const res = await get(`${url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ store: 'ok', platforms: { telegram: 'connected', discord: 'connected' }, role: 'follower' });
  });

  it('is 503 and says store: error when the store check fails, without the error text', async () => {
    const { url } = await serve({ store: () => Promise.reject(new Error('connect ECONNREFUSED db.internal:5432')), role: 'leader' });
    const res = await get(`${url}/readyz`);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ store: 'error', platforms: { telegram: 'connected', discord: 'connected' }, role: 'leader' });
    expect(text).not.toContain('db.internal');
  });

  it('is 503 while a platform is disconnected, and 200 again once it is back', async () => {
    const { url, world } = await serve({ platforms: { telegram: true, discord: false } });
    const down = await get(`${url}/readyz`);
    expect(down.status).toBe(503);
    expect((await down.json()).platforms).toEqual({ telegram: 'connected', discord: 'disconnected' });
    world.platforms = { telegram: true, discord: true };
    expect((await get(`${url}/readyz`)).status).toBe(200);
  });

  it('recovers when the store answers again', async () => {
    let up = false;
    const { url } = await serve({ store: async () => (up ? undefined : Promise.reject(new Error('down'))) });
    expect((await get(`${url}/readyz`)).status).toBe(503);
    up = true;
    expect((await get(`${url}/readyz`)).status).toBe(200);
  });
});

describe('anything else', () => {
  it('is 404 for an unknown path, and 405 naming GET and HEAD for another method', async () => {
    const { url } = await serve();
    expect((await get(`${url}/nope`)).status).toBe(404);
    expect((await get(`${url}/`)).status).toBe(404);
    expect((await get(`${url}/metrics/extra`)).status).toBe(404);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await get(`${url}/metrics`, { method, body: method === 'DELETE' ? undefined : 'x' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it('serves a path with a query string as the path', async () => {
    const { url } = await serve();
    expect((await get(`${url}/healthz?probe=1`)).status).toBe(200);
  });
});

describe('GET /metrics', () => {
  let mempool: FakeMempool;
  beforeAll(async () => {
    mempool = await startFakeMempool();
  });
  afterAll(async () => {
    await mempool.close();
  });

  it('counts a command once it is answered, and the upstream requests it made', async () => {
    const { url, metrics } = await serve();
    const market: Market = createMarket({
      config: loadConfig({ ...mempool.env }),
      logger: silentLogger,
      observe: metrics.upstream,
    });
    const ctx: CommandContext = {
      market,
      now: () => Date.now(),
      platform: 'telegram',
      version: 'test',
      services: { observe: metrics.commands },
    };
    const answered = { command: 'hashprice', platform: 'telegram', outcome: 'ok' };

    const before = await scrape(url);
    expect(sampleValue(before, 'hashwatch_commands_total', answered)).toBeUndefined();

    const reply = await runCommand(commands, 'hashprice', {}, ctx, silentLogger);
    expect(reply.tone).not.toBe('error');
    const after = await scrape(url);
    expect(sampleValue(after, 'hashwatch_commands_total', answered)).toBe(1);
    const upstreamOk = after.filter((s) => s.name === 'hashwatch_upstream_requests_total' && s.labels.outcome === 'ok');
    expect(upstreamOk.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThan(0);

    await runCommand(commands, 'hashprise', {}, ctx, silentLogger);
    await runCommand(commands, 'hashprice', { price: 'lots' }, ctx, silentLogger);
    const later = await scrape(url);
    expect(sampleValue(later, 'hashwatch_commands_total', answered)).toBe(1);
    // A mistyped name is counted without becoming a label of its own.
    expect(sampleValue(later, 'hashwatch_commands_total', { command: '', platform: 'telegram', outcome: 'unknown' })).toBe(1);
    expect(later.some((s) => s.labels.command === 'hashprise')).toBe(false);
    expect(sampleValue(later, 'hashwatch_commands_total', { command: 'hashprice', platform: 'telegram', outcome: 'invalid' })).toBe(1);
  });

  it('counts failed upstream requests and the calls that gave up', async () => {
    const { url, metrics } = await serve();
    // Port 9 (discard) is closed here: every request is refused at once.
    const market = createMarket({
      config: loadConfig({
        MEMPOOL_API_URL: 'http://127.0.0.1:9/api',
        PRICE_FALLBACK_URL: '',
        CHAIN_FALLBACK_URL: '',
        HTTP_TIMEOUT_MS: '5000',
      }),
      logger: silentLogger,
      observe: metrics.upstream,
      sleep: async () => undefined,
    });
    const ctx: CommandContext = {
      market,
      now: () => Date.now(),
      platform: 'discord',
      version: 'test',
      services: { observe: metrics.commands },
    };
    await runCommand(commands, 'fees', {}, ctx, silentLogger);
    const samples = await scrape(url);
    const source = 'mempool (127.0.0.1)';
    expect(sampleValue(samples, 'hashwatch_upstream_requests_total', { source, outcome: 'connection_failed' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'hashwatch_upstream_requests_total', { source, outcome: 'ok' })).toBeUndefined();
    expect(sampleValue(samples, 'hashwatch_upstream_failures_total', { source })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'hashwatch_commands_total', { command: 'fees', platform: 'discord', outcome: 'upstream' })).toBe(1);
  });

  it('counts deliveries by outcome and every 429 through a wrapped sender', async () => {
    const { url, metrics } = await serve();
    const results = [
      { ok: true as const, messageIds: ['1'] },
      { ok: false as const, permanent: false, reason: 'Too Many Requests: retry after 3', retryAfterMs: 3000 },
      { ok: false as const, permanent: true, reason: 'Forbidden: bot was blocked by the user' },
      { ok: false as const, permanent: false, reason: 'Telegram unreachable' },
      { ok: true as const, messageIds: ['2'] },
    ];
    const sender = metrics.countSends({ platform: 'telegram', send: async () => results.shift()! });
    const before = await scrape(url);
    expect(sampleValue(before, 'hashwatch_rate_limited_total', { platform: 'telegram' })).toBe(0);

    const destination = { platform: 'telegram' as const, chatId: '1', kind: 'user' as const };
    const reply = { title: 't', sections: [], footer: [], tone: 'neutral' as const };
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(await sender.send(destination, reply));
    expect(seen.map((r) => r.ok)).toEqual([true, false, false, false, true]);

    const after = await scrape(url);
    const delivered = (outcome: string) => sampleValue(after, 'hashwatch_deliveries_total', { platform: 'telegram', outcome });
    expect([delivered('sent'), delivered('rate_limited'), delivered('gone'), delivered('retry')]).toEqual([2, 1, 1, 1]);
    expect(sampleValue(after, 'hashwatch_rate_limited_total', { platform: 'telegram' })).toBe(1);
  });

  it('reads the outbox backlog at every scrape: depth by status and the age of the oldest pending row', async () => {
    const now = Date.now();
    let backlog: OutboxBacklog = { pending: 3, sending: 1, oldestPendingCreatedMs: now - 90_000 };
    const { url } = await serve({ backlog: async () => backlog });
    let samples = await scrape(url);
    expect(sampleValue(samples, 'hashwatch_outbox_depth', { status: 'pending' })).toBe(3);
    expect(sampleValue(samples, 'hashwatch_outbox_depth', { status: 'sending' })).toBe(1);
    expect(sampleValue(samples, 'hashwatch_outbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(90);

    backlog = { pending: 0, sending: 0, oldestPendingCreatedMs: null };
    samples = await scrape(url);
    expect(sampleValue(samples, 'hashwatch_outbox_depth', { status: 'pending' })).toBe(0);
    expect(sampleValue(samples, 'hashwatch_outbox_oldest_pending_age_seconds')).toBe(0);

    // Rows pending but their age not told: unknown, never a reassuring 0.
    backlog = { pending: 2, sending: 0 };
    samples = await scrape(url);
    expect(sampleValue(samples, 'hashwatch_outbox_oldest_pending_age_seconds')).toBeNaN();
  });

  it('still serves the page when the backlog cannot be read, with the outbox gauges unknown', async () => {
    const { url } = await serve({ backlog: () => Promise.reject(new Error('store down')) });
    const samples = await scrape(url);
    expect(sampleValue(samples, 'hashwatch_outbox_depth', { status: 'pending' })).toBeNaN();
    expect(sampleValue(samples, 'hashwatch_outbox_oldest_pending_age_seconds')).toBeNaN();
    expect(samples.some((s) => s.name === 'process_cpu_seconds_total')).toBe(true);
  });

  it('says 1 for the leader and the only instance, 0 for a follower, at each scrape', async () => {
    const { url, world } = await serve({ role: 'leader' });
    expect(sampleValue(await scrape(url), 'hashwatch_leader')).toBe(1);
    world.role = 'follower';
    expect(sampleValue(await scrape(url), 'hashwatch_leader')).toBe(0);
    world.role = 'single';
    expect(sampleValue(await scrape(url), 'hashwatch_leader')).toBe(1);
  });

  it('keeps two bots in one process apart: each has its own registry', async () => {
    const a = await serve();
    const b = await serve();
    a.metrics.commands.answered('about', 'telegram', 'ok');
    expect(sampleValue(await scrape(a.url), 'hashwatch_commands_total', { command: 'about', platform: 'telegram', outcome: 'ok' })).toBe(1);
    expect(
      sampleValue(await scrape(b.url), 'hashwatch_commands_total', { command: 'about', platform: 'telegram', outcome: 'ok' }),
    ).toBeUndefined();
  });
});
