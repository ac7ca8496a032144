/**
 * A separate process running only the outbox worker with the real Telegram delivery (telegraf),
 * so the crash test can SIGKILL it mid-send. Usage: node --import tsx outbox-child.ts <db> <apiRoot> <token>
 */
import { Telegraf } from 'telegraf';
import { OutboxWorker } from '../../src/delivery/outbox-worker.ts';
import type { Sender } from '../../src/core/delivery.ts';
import { TelegramDelivery } from '../../src/adapters/telegram/delivery.ts';
import { Pacer } from '../../src/adapters/telegram/pacer.ts';
import { silentLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';

const [dbPath, apiRoot, token] = process.argv.slice(2);
const store = openStore(dbPath!);
const bot = new Telegraf(token!, { telegram: { apiRoot: `${apiRoot}/` } });
// Faster than Telegram allows, so the test is quick; pacing itself is tested with the adapter.
const pacer = new Pacer({
  privateChat: { intervalMs: 1000, burst: 3 },
  group: { intervalMs: 3000, burst: 3 },
  global: { messages: 500, windowMs: 1000 },
});
const delivery = new TelegramDelivery(bot.telegram, pacer, silentLogger);
const sender: Sender = { platform: 'telegram', send: (d, reply) => delivery.send(d.chatId, reply) };
// One process on a SQLite file, as the bot runs it there: rows left 'sending' by the killed run are its own.
const worker = new OutboxWorker({ store, senders: [sender], log: silentLogger, concurrency: 16, soleSender: true });
await worker.start();
process.stdout.write('ready\n');
