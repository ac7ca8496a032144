/**
 * The operator endpoints of the whole bot as operators run it (`npm start` with HTTP_PORT set):
 * main wires the counters to the real command path, so a Telegram /hashprice moves them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram.ts';
import { parsePrometheusText, sampleValue } from './prometheus-text.ts';

let mempool: FakeMempool;
let telegram: FakeTelegram;
let bot: ChildProcess;
let output = '';
let dir: string;
let base: string;

/** A port nobody listens on right now (the kernel picks it; the bot binds it a moment later). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const get = (path: string) => fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });

/** Asks until the answer has this status; start-up on a busy machine takes a while. */
async function waitForStatus(path: string, status: number, withinMs: number): Promise<Response> {
  const until = Date.now() + withinMs;
  for (;;) {
    const res = await get(path).catch(() => undefined);
    if (res?.status === status) return res;
    if (Date.now() > until) throw new Error(`${path} never answered ${status} (last: ${res?.status}); bot output:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  [mempool, telegram] = await Promise.all([startFakeMempool(), startFakeTelegram()]);
  dir = mkdtempSync(join(tmpdir(), 'hashwatch-ops-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  bot = spawn(process.execPath, ['bin/hashwatch.js'], {
    env: {
      PATH: process.env.PATH,
      ...mempool.env,
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_PATH: join(dir, 'bot.db'),
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  bot.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  bot.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForStatus('/readyz', 200, 45_000);
}, 60_000);

afterAll(async () => {
  if (bot.exitCode === null) bot.kill('SIGKILL');
  await Promise.all([mempool.close(), telegram.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start with HTTP_PORT', () => {
  it('is ready once Telegram is connected, as the only instance', async () => {
    const res = await get('/readyz');
    expect(await res.json()).toEqual({ store: 'ok', platforms: { telegram: 'connected' }, role: 'single' });
    expect((await get('/healthz')).status).toBe(200);
  });

  it('counts a Telegram command in /metrics once it is answered', async () => {
    const answered = { command: 'hashprice', platform: 'telegram', outcome: 'ok' };
    const before = parsePrometheusText(await (await get('/metrics')).text());
    expect(sampleValue(before, 'hashwatch_commands_total', answered)).toBeUndefined();

    telegram.sendUserMessage({ chatId: 4343, text: '/hashprice' });
    await telegram.waitForSent((m) => m.chat_id === 4343, 20_000);

    const after = parsePrometheusText(await (await get('/metrics')).text());
    expect(sampleValue(after, 'hashwatch_commands_total', answered)).toBe(1);
    const upstream = after.filter((s) => s.name === 'hashwatch_upstream_requests_total' && s.labels.outcome === 'ok');
    expect(upstream.length).toBeGreaterThan(0);
    expect(sampleValue(after, 'hashwatch_leader')).toBe(1);
    expect(sampleValue(after, 'hashwatch_rate_limited_total', { platform: 'telegram' })).toBe(0);
    expect(sampleValue(after, 'hashwatch_outbox_depth', { status: 'pending' })).toBe(0);
  }, 30_000);

  it('stops serving on SIGTERM and exits cleanly', async () => {
    const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)));
    bot.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(get('/healthz')).rejects.toThrow();
  }, 30_000);
});
