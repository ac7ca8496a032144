/**
 * Telegram delivery benchmark: alerts through the outbox and the real Telegram delivery (telegraf)
 * against the local stand-in enforcing 30 msg/s as a sliding one-second window, Telegram's documented
 * overall limit (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
 * Three rounds: the worst achieved ÷ allowed rate, and every 429 received (a 429 is a penalty earned).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Telegraf } from 'telegraf';
import { OutboxWorker } from '../src/delivery/outbox-worker.ts';
import { TelegramDelivery } from '../src/adapters/telegram/delivery.ts';
import { Pacer } from '../src/adapters/telegram/pacer.ts';
import { silentLogger } from '../src/logger.ts';
import { openStore } from '../src/store/index.ts';
import { startFakeTelegram } from '../test/fakes/telegram.ts';
import type { BenchResult } from './types.ts';

const ALLOWED = 30;
const MESSAGES = 300; // 10 s at the allowed rate
const ROUNDS = 3;

async function deliverOnce(): Promise<{ ratio: number; count429: number; seconds: number }> {
  const fake = await startFakeTelegram({ maxPerSecond: ALLOWED });
  const dir = mkdtempSync(join(tmpdir(), 'hashwatch-bench-'));
  const store = openStore(join(dir, 'outbox.db'));
  try {
    const bot = new Telegraf(fake.token, { telegram: { apiRoot: `${fake.apiRoot}/` } });
    const delivery = new TelegramDelivery(bot.telegram, new Pacer(), silentLogger);
    const worker = new OutboxWorker({
      store,
      senders: [{ platform: 'telegram', send: (d, reply) => delivery.send(d.chatId, reply) }],
      log: silentLogger,
      concurrency: 32,
    });
    for (let i = 1; i <= MESSAGES; i++) {
      await store.outbox.enqueue(
        `bench:${i}`,
        { platform: 'telegram', chatId: String(i), kind: 'user' },
        { title: `Alert ${i}`, lines: ['bench'], sections: [], footer: ['bench'], tone: 'neutral' },
        Date.now(),
      );
    }
    const start = performance.now();
    while ((await store.outbox.counts()).sent < MESSAGES) {
      await worker.drain();
      await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = (performance.now() - start) / 1000;
    return { ratio: MESSAGES / seconds / ALLOWED, count429: fake.count429, seconds };
  } finally {
    await store.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await deliverOnce());
  const worst = Math.min(...rounds.map((r) => r.ratio));
  const total429 = rounds.reduce((n, r) => n + r.count429, 0);
  const perRound = Object.fromEntries(
    rounds.map((r, i) => [`round${i + 1}`, `${r.ratio.toFixed(3)} (${r.seconds.toFixed(2)} s, ${r.count429} × 429)`]),
  );
  return [
    {
      name: `Telegram delivery rate ÷ allowed, worst of ${ROUNDS} rounds (stand-in enforcing 30 msg/s)`,
      value: Number(worst.toFixed(3)),
      unit: 'ratio',
      target: '≥ 0.95',
      ok: worst >= 0.95,
      details: { messagesPerRound: MESSAGES, ...perRound },
    },
    { name: `429s received during delivery, all ${ROUNDS} rounds`, value: total429, unit: 'count', target: '0', ok: total429 === 0 },
  ];
}
