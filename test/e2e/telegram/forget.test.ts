/**
 * /forget and blocked users over Telegram: the real telegraf adapter against the local Bot API
 * stand-in, with the real alert runtime, outbox worker and store. The confirm button is pressed as
 * a callback query; a press by someone else or after 10 minutes changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import alert from '../../../commands/alert.ts';
import digest from '../../../commands/digest.ts';
import forget from '../../../commands/forget.ts';
import { loadConfig } from '../../../src/config.ts';
import type { Command, CommandContext } from '../../../src/core/command.ts';
import type { Headline } from '../../../src/core/headline.ts';
import { startTelegram, type TelegramBot } from '../../../src/adapters/telegram/index.ts';
import { silentLogger } from '../../../src/logger.ts';
import { startBackground, type Background } from '../../../src/background.ts';
import type { Market } from '../../../src/core/market.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../../fakes/telegram.ts';
import { headline } from '../../alerts/headline.ts';

const ALICE = 1001;
const BOB = 1002;
const GROUP = -100_777;
const clock = { t: Date.UTC(2025, 6, 1, 8) };
let fake: FakeTelegram;
let bot: TelegramBot;
let store: Store;
let runtime: Background;
let current: Headline = headline({ priceUsd: 80_000 });
const market = {} as Market;

async function settled(): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const c = await store.outbox.counts();
    if (c.pending === 0 && c.sending === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`outbox did not settle: ${JSON.stringify(await store.outbox.counts())}`);
}

async function price(priceUsd: number): Promise<void> {
  clock.t += 2 * 3600_000; // past the one-hour cooldown every time
  current = headline({ ...current, priceUsd, atMs: clock.t });
  await runtime.evaluate(current);
  await settled();
}

async function ask(chatId: number, text: string, fromId = chatId): Promise<SentMessage> {
  const before = fake.sent.length;
  fake.sendUserMessage({ chatId, text, fromId, chatType: chatId < 0 ? 'supergroup' : 'private' });
  return fake.waitForSent((m) => m.chat_id === chatId && fake.sent.indexOf(m) >= before);
}

/** Presses a button and waits for the callback to be answered; returns the answer. */
async function press(chatId: number, message: SentMessage, fromId: number): Promise<any> {
  const button = (message.reply_markup.inline_keyboard.flat() as { text: string; callback_data: string }[]).find(
    (b) => b.text === 'Delete my data',
  )!;
  const answered = fake.callbackAnswers.length;
  fake.pressButton({ chatId, messageId: message.message_id, data: button.callback_data, fromId });
  for (let i = 0; i < 500 && fake.callbackAnswers.length === answered; i++) await new Promise((r) => setTimeout(r, 10));
  return fake.callbackAnswers[answered];
}

const dataOf = (id: number) => runtime.services.account.dataOf({ platform: 'telegram', id: String(id) });

beforeAll(async () => {
  fake = await startFakeTelegram();
  const config = loadConfig({ TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.apiRoot, LOG_LEVEL: 'silent' });
  bot = await startTelegram({
    config,
    logger: silentLogger,
    commands: [alert, digest, forget] as unknown as Command[],
    makeContext: ({ user, chat }): CommandContext => ({
      market,
      now: () => clock.t,
      platform: 'telegram',
      version: 'test',
      user,
      chat,
      services: runtime.services,
    }),
  });
  store = openStore(':memory:');
  runtime = await startBackground({
    config: { MAX_ALERTS_PER_USER: 25, DIGEST_DEFAULT_TIME: '14:00', POLL_INTERVAL_SEC: 60 },
    logger: silentLogger,
    store,
    market,
    senders: [bot.sender],
    loadHeadline: async () => ({ headline: current }),
    buildDigest: async () => ({ title: 'Daily mining digest', sections: [], footer: ['test'], tone: 'neutral' }),
    now: () => clock.t,
    timers: false,
  });
  await runtime.evaluate(current);
});

afterAll(async () => {
  await runtime?.stop();
  await store?.close();
  await bot?.stop();
  await fake?.close();
});

describe('/forget on Telegram', () => {
  it('asks with a Delete button that only the asker can use, and that expires after 10 minutes', async () => {
    expect((await ask(ALICE, '/alert add price above 90k')).plain).toContain('Alert #1 added');
    expect((await ask(ALICE, '/alert add hashprice below 40')).plain).toContain('Alert #2 added');
    expect((await ask(ALICE, '/digest dm 07:30 UTC')).plain).toContain('by direct message every day at 07:30');
    expect((await ask(BOB, '/alert add price above 90k')).plain).toContain('Alert #3 added');
    await store.outbox.enqueue(
      'test:later',
      { platform: 'telegram', chatId: String(ALICE), kind: 'user' },
      { title: 'later', sections: [], footer: [], tone: 'neutral' },
      clock.t + 3600_000,
    );

    const asked = await ask(ALICE, '/forget');
    expect(asked.plain).toContain('Delete your data?');
    expect(asked.plain).toContain('2 alert rules (#1, #2); your daily digest by direct message; 1 message waiting to be sent to you');
    expect(asked.reply_markup.inline_keyboard.flat().map((b: { text: string }) => b.text)).toEqual(['Delete my data']);

    // Callback data is visible to whoever sees the message: a press by Bob must do nothing.
    const stolen = await press(ALICE, asked, BOB);
    expect(stolen.text).toContain('Not your button');
    expect(stolen.show_alert).toBe(true);
    expect((await dataOf(ALICE)).rules).toBe(2);
    expect((await dataOf(BOB)).rules).toBe(1);

    clock.t += 11 * 60_000;
    const late = await press(ALICE, asked, ALICE);
    expect(late.text).toContain('This button has expired');
    expect((await dataOf(ALICE)).rules).toBe(2);
  });

  it('deletes on the asker’s press, edits the question into what was removed, and leaves Bob alone', async () => {
    const asked = await ask(ALICE, '/forget');
    const answer = await press(ALICE, asked, ALICE);
    expect(answer.text).toBeUndefined();
    const edited = await fake.waitForSent((m) => m.method === 'editMessageText' && m.message_id === asked.message_id);
    expect(edited.plain).toContain('Your data is deleted');
    expect(edited.plain).toContain('Alert rules: 2');
    expect(edited.plain).toContain('DM digest: 1');
    expect(edited.plain).toContain('Messages waiting: 1');
    expect(edited.reply_markup).toBeUndefined(); // the button is gone
    expect(await dataOf(ALICE)).toMatchObject({ rules: 0, dmDigests: 0, queued: 0, account: 0 });
    expect(await store.schedules.get('telegram', String(ALICE))).toBeUndefined();
    expect((await dataOf(BOB)).rules).toBe(1);

    // Nothing reaches Alice any more; Bob still gets his alert.
    await price(91_000);
    expect(fake.sent.filter((m) => m.chat_id === ALICE && /Alert #[12]:/.test(m.plain))).toEqual([]);
    expect(fake.sent.filter((m) => m.chat_id === BOB && m.plain.includes('Alert #3:'))).toHaveLength(1);
  });

  it('is personal: refused in a group', async () => {
    const reply = await ask(GROUP, '/forget', BOB);
    expect(reply.plain).toContain('Send /forget to me in a private chat');
    expect((await dataOf(BOB)).rules).toBe(1);
  });
});

describe('a user who blocks the bot', () => {
  it('has their alerts and DM digest paused (not deleted) and not retried; /alert list says why; writing again resumes them', async () => {
    expect((await ask(BOB, '/digest dm 07:30 UTC')).plain).toContain('by direct message');
    await price(85_000); // re-arm Bob's rule below the line
    fake.blockChat(BOB);
    const sendsToBob = () => fake.calls.filter((c) => c.method === 'sendMessage').length;
    await price(92_000);
    expect((await store.rules.active()).map((r) => r.id)).toEqual([]);
    expect(await store.rules.get(3)).toMatchObject({ paused: false, disabledReason: 'Forbidden: bot was blocked by the user' });
    expect((await store.schedules.get('telegram', String(BOB)))?.disabledReason).toBe('Forbidden: bot was blocked by the user');
    expect((await store.outbox.counts()).pending).toBe(0);
    // Further crossings try nobody: the engine no longer evaluates the paused rule.
    const calls = sendsToBob();
    await price(85_000);
    await price(93_000);
    expect(sendsToBob()).toBe(calls);

    // Bob writes again (in Telegram he must unblock the bot to do so).
    const listed = await ask(BOB, '/alert list');
    expect(listed.plain).toContain('#3: BTC price (USD) above $90,000 (paused: messages to you failed)');
    expect(listed.plain).toContain('Paused by me, not deleted: messages to you failed (Forbidden: bot was blocked by the user).');
    expect(listed.plain).toContain(
      'Welcome back: messages to you had failed (Forbidden: bot was blocked by the user), so I had paused alert #3 and your daily digest by direct message. You can be reached again, so they are back on.',
    );
    expect((await store.rules.active()).map((r) => r.id)).toEqual([3]);
    expect((await store.schedules.get('telegram', String(BOB)))?.disabledReason).toBeNull();
    // Resumed like /alert resume: it fires at the next crossing, not for the price already above.
    await price(94_000);
    expect(fake.sent.filter((m) => m.chat_id === BOB && m.plain.includes('Alert #3:'))).toHaveLength(1);
    await price(85_000);
    await price(95_000);
    expect(fake.sent.filter((m) => m.chat_id === BOB && m.plain.includes('Alert #3:'))).toHaveLength(2);
    // Said once: the next command has nothing to resume.
    expect((await ask(BOB, '/alert list')).plain).not.toContain('Welcome back');
  });

  it('resumes on /start too (what the client sends when a user unblocks the bot)', async () => {
    await price(85_000);
    fake.blockChat(BOB);
    await price(96_000);
    expect(await store.rules.active()).toEqual([]);
    const started = await ask(BOB, '/start');
    expect(started.plain).toContain('Welcome to hashwatch');
    expect(started.plain).toContain('so I had paused alert #3');
    expect((await store.rules.active()).map((r) => r.id)).toEqual([3]);
  });
});
