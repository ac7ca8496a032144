/**
 * Webhook mode on two instances behind a round-robin load balancer (a forwarder), real telegraf and
 * the Bot API stand-in posting each update to the balancer's public URL: both instances start at the
 * same moment and register the webhook, both answer whatever they are handed, leadership plays no
 * part, a wrong or missing secret is refused, and one instance stopping leaves the webhook to the
 * other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineCommand, type Command } from '../../../src/core/command.ts';
import type { LeaderSignal } from '../../../src/core/leadership.ts';
import type { TelegramBot } from '../../../src/adapters/telegram/index.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram.ts';
import { startForwarder } from './forwarder.ts';
import { freePort, startBot } from './harness.ts';

const SECRET = 'lb-secret_0123456789';
const PATH = '/telegram/hook';

function commandsOf(instance: string): Command[] {
  return [
    defineCommand({
      name: 'who',
      description: 'Says which instance answered',
      options: { text: { kind: 'text', maxLength: 100, example: 'x', description: 'A marker' } },
      examples: ['/who x'],
      async run(_ctx, args) {
        return { title: 'Who', lines: [`${args.text ?? ''} answered by ${instance}`], sections: [], footer: [], tone: 'neutral' };
      },
    }),
  ];
}

/** Neither instance leads: webhook intake must not depend on it. */
const follower: LeaderSignal = { isLeader: () => false, onChange: () => () => undefined };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const fake = await startFakeTelegram();
  cleanups.push(() => fake.close());
  const ports = [await freePort(), await freePort()];
  let turn = 0;
  const balancer = await startForwarder(() => `http://127.0.0.1:${ports[turn++ % ports.length]}`);
  cleanups.push(() => balancer.close());
  const env = (port: number) => ({
    TELEGRAM_WEBHOOK_URL: `${balancer.origin}${PATH}`,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_WEBHOOK_PORT: String(port),
  });
  // Started together, as a deploy starts its replicas: both call setWebhook within the same second.
  const bots: TelegramBot[] = await Promise.all(
    ['a', 'b'].map((name, i) => startBot(fake, commandsOf(name), { env: env(ports[i]!), leader: follower })),
  );
  for (const bot of bots) cleanups.push(() => bot.stop());
  return { fake, balancer, ports, bots: bots as [TelegramBot, TelegramBot] };
}

let nextChat = 600;
function askMany(fake: FakeTelegram, count: number): number[] {
  return Array.from({ length: count }, (_, i) => {
    const chatId = nextChat++;
    fake.sendUserMessage({ chatId, text: `/who w${i}` });
    return chatId;
  });
}

async function answersTo(fake: FakeTelegram, chats: number[]): Promise<string[]> {
  const replies = await Promise.all(chats.map((chatId) => fake.waitForSent((m) => m.chat_id === chatId, 10_000)));
  // Late duplicates would land after the first answers: give them a moment to show.
  await new Promise((r) => setTimeout(r, 300));
  for (const chatId of chats) expect(fake.sent.filter((m) => m.chat_id === chatId)).toHaveLength(1);
  return replies.map((m) => m.plain.match(/answered by (\w+)/)?.[1] ?? '?');
}

describe('Telegram webhooks behind a load balancer', () => {
  it('two instances started at once both register, both answer, and every update is answered once', async () => {
    const { fake, balancer } = await setUp();
    expect(fake.webhook).toEqual({ url: `${balancer.origin}${PATH}`, secretToken: SECRET });
    expect(fake.calls.filter((c) => c.method === 'setWebhook').length).toBeGreaterThanOrEqual(2);
    expect(fake.webhookChanges).toBe(1);

    const answeredBy = await answersTo(fake, askMany(fake, 10));
    expect(answeredBy.filter((w) => w === 'a')).toHaveLength(5);
    expect(answeredBy.filter((w) => w === 'b')).toHaveLength(5);
    expect(balancer.calls.every((c) => c.status === 200)).toBe(true);
    expect(fake.calls.some((c) => c.method === 'getUpdates')).toBe(false);
  });

  it('each instance refuses a wrong or missing secret with 403, directly and through the balancer', async () => {
    const { fake, balancer, ports } = await setUp();
    const forged = JSON.stringify({
      update_id: 9_999,
      message: {
        message_id: 1,
        date: 0,
        chat: { id: 777, type: 'private' },
        from: { id: 777, is_bot: false, first_name: 'Eve' },
        text: '/who forged',
      },
    });
    const origins = [...ports.map((p) => `http://127.0.0.1:${p}`), balancer.origin, balancer.origin];
    for (const origin of origins) {
      const attempts: Record<string, string>[] = [{ 'x-telegram-bot-api-secret-token': 'wrong-secret_0123456789' }, {}];
      for (const headers of attempts) {
        const res = await fetch(`${origin}${PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: forged,
        });
        expect(res.status).toBe(403);
      }
    }
    expect(await answersTo(fake, askMany(fake, 2))).toHaveLength(2);
    expect(fake.sent.some((m) => m.plain.includes('forged'))).toBe(false);
  });

  it('stopping one instance keeps the webhook for the other, which answers the rest', async () => {
    const { fake, bots } = await setUp();
    await bots[0].stop();
    expect(fake.calls.some((c) => c.method === 'deleteWebhook')).toBe(false);
    expect(fake.webhook).toBeDefined();
    // The stand-in retries an update the balancer could not deliver (502 from the stopped one), as Telegram does.
    expect(await answersTo(fake, askMany(fake, 4))).toEqual(['b', 'b', 'b', 'b']);
  });
});
