/**
 * The adapter under failure (issue 10, items 3–6): polling errors, hung Bot API calls, a bounded
 * shutdown and a flooding chat. Real telegraf against the local stand-in over real sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineCommand, type Command } from '../../../src/core/command.ts';
import type { TelegramBot, TelegramTiming } from '../../../src/adapters/telegram/index.ts';
import { createLogger } from '../../../src/logger.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../../fakes/telegram.ts';
import { startBot } from './harness.ts';

const footer = ['test'];
let release: () => void = () => undefined;
let gate = Promise.resolve();
const commands: Command[] = [
  defineCommand({
    name: 'echo',
    description: 'Repeats text',
    options: { text: { kind: 'text', maxLength: 300, example: 'hello', description: 'What to repeat' } },
    examples: ['/echo hello'],
    async run(_ctx, args) {
      return { title: 'Echo', lines: [args.text ?? '(nothing)'], sections: [], footer, tone: 'neutral' };
    },
  }),
  defineCommand({
    name: 'slow',
    description: 'Answers when the test opens the gate',
    options: {},
    examples: ['/slow'],
    async run() {
      await gate;
      return { title: 'Slow', lines: ['done'], sections: [], footer, tone: 'neutral' };
    },
  }),
  defineCommand({
    name: 'amadmin',
    description: 'Says whether the asker administers this chat',
    options: {},
    examples: ['/amadmin'],
    async run(ctx) {
      return { title: `admin: ${await ctx.chat!.isAdmin()}`, sections: [], footer, tone: 'neutral' };
    },
  }),
];

// Short deadlines so failures show within a test; the production values are in index.ts.
const fast: Partial<TelegramTiming> = {
  callTimeoutMs: 300,
  stopGraceMs: 300,
  poll: { pollTimeoutSec: 1, retryBaseMs: 20, retryCapMs: 100 },
};

let fake: FakeTelegram;
let bot: TelegramBot | undefined;
let logs: string[] = [];
const logger = () => createLogger({ level: 'info' }, { write: (line: string) => void logs.push(line) });
const logged = (msg: string) => logs.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.msg === msg);
const to = (chatId: number) => (m: SentMessage) => m.chat_id === chatId;
const waitFor = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
};

async function start(timing: Partial<TelegramTiming> = fast) {
  fake = await startFakeTelegram();
  logs = [];
  bot = await startBot(fake, commands, { timing, logger: logger() });
}

afterEach(async () => {
  release();
  await bot?.stop();
  bot = undefined;
  await fake.close();
});

describe('polling', () => {
  it('keeps answering after 409s (a second instance polling during a deploy) and a 502', async () => {
    await start();
    fake.failUpdates({ code: 409 }, 3);
    fake.failUpdates({ code: 502 });
    // The poll in progress ends within its 1 s timeout; the next four fail, each retried.
    await waitFor(() => logged('telegram: getUpdates failed; retrying').length === 4, 'four failed polls');
    expect(logged('telegram: getUpdates failed; retrying').map((l) => l.failures)).toEqual([1, 2, 3, 4]);
    fake.sendUserMessage({ chatId: 301, text: '/echo still-here' });
    expect((await fake.waitForSent(to(301))).plain).toContain('still-here');
    expect(logged('telegram: polling recovered')).toMatchObject([{ failures: 4 }]);
  });

  it('reads disconnected for /readyz after three failed polls in a row, and connected again once a poll answers', async () => {
    await start({ ...fast, poll: { pollTimeoutSec: 1, retryBaseMs: 300, retryCapMs: 300 } });
    expect(bot!.connected()).toBe(true);
    fake.failUpdates({ code: 502 }, 4);
    await waitFor(() => logged('telegram: getUpdates failed; retrying').length === 1, 'one failed poll');
    expect(bot!.connected()).toBe(true); // one failure is routine
    await waitFor(() => logged('telegram: getUpdates failed; retrying').length === 3, 'three failed polls');
    expect(bot!.connected()).toBe(false);
    await waitFor(() => logged('telegram: polling recovered').length === 1, 'a poll that answers');
    expect(bot!.connected()).toBe(true);
  });

  it('reports a revoked token (401) as fatal, naming TELEGRAM_BOT_TOKEN', async () => {
    await start();
    fake.failUpdates({ code: 401 });
    const err = await bot!.failed;
    expect(err.message).toMatch(/refused the bot token \(401 Unauthorized\): check TELEGRAM_BOT_TOKEN/);
  });

  it('reports a 400 on getUpdates as fatal instead of polling nothing', async () => {
    await start();
    fake.failUpdates({ code: 400, description: 'Bad Request: invalid allowed_updates' });
    expect((await bot!.failed).message).toMatch(/refused getUpdates \(400 Bad Request: invalid allowed_updates\)/);
  });

  it('refuses to start with a wrong token, naming TELEGRAM_BOT_TOKEN', async () => {
    fake = await startFakeTelegram();
    await expect(
      startBot(fake, commands, { env: { TELEGRAM_BOT_TOKEN: '123456:WRONG-token_for-the-fake' }, timing: fast }),
    ).rejects.toThrow(/check TELEGRAM_BOT_TOKEN/);
  });
});

describe('deadlines on Bot API calls', () => {
  it('a hung sendMessage is a retryable failure, not a held slot', async () => {
    await start();
    fake.hangNext('sendMessage');
    const result = await bot!.sender.send(
      { platform: 'telegram', chatId: '302', kind: 'user' },
      { title: 'Alert', sections: [], footer, tone: 'neutral' },
    );
    expect(result).toMatchObject({ ok: false, permanent: false });
    expect(!result.ok && result.reason).toMatch(/sendMessage got no answer within 300 ms/);
    await waitFor(() => fake.hanging === 0, 'the hung request to be closed by the client');
  });

  it('a hung getChatMember ends the admin check (as "not an admin")', async () => {
    await start();
    fake.setAdmins(-100303, [1000]);
    fake.hangNext('getChatMember');
    fake.sendUserMessage({ chatId: -100303, chatType: 'supergroup', text: '/amadmin' });
    expect((await fake.waitForSent(to(-100303))).plain).toContain('admin: false');
  });

  it('stop() completes while a send hangs', async () => {
    await start();
    fake.hangNext('sendMessage');
    fake.sendUserMessage({ chatId: 304, text: '/echo never' });
    await waitFor(() => fake.hanging === 1, 'the reply to hang');
    await bot!.stop();
    expect(logged('telegram: stopped')).toHaveLength(1);
  });
});

describe('shutdown', () => {
  it('drops what cannot be answered within the grace period, with counts and chats in the log', async () => {
    await start();
    gate = new Promise((resolve) => (release = resolve));
    for (const chatId of [305, 306]) for (let i = 0; i < 4; i++) fake.sendUserMessage({ chatId, text: '/slow' });
    await waitFor(() => fake.calls.filter((c) => c.method === 'sendChatAction').length === 2, 'both chats to start');
    await bot!.stop(); // the gate never opens
    // 3 per chat had not started; the running one per chat is dropped when the grace period ends.
    expect(logged('telegram: shutting down; dropped commands that had not started')).toMatchObject([{ dropped: 6, chats: ['305', '306'] }]);
    expect(logged('telegram: shutdown grace period over; dropping the replies still being made')).toMatchObject([
      { dropped: 2, chats: ['305', '306'] },
    ]);
    release();
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.sent.filter((m) => m.chat_id === 305 || m.chat_id === 306)).toHaveLength(0);
  });
});

describe('a flooding chat', () => {
  it('is answered within its queue bound, told once to slow down, and fires few chat actions', async () => {
    // A "typing…" interval longer than the test, so "one per interval" means exactly one here.
    await start({ ...fast, stopGraceMs: 10_000, chatActionEveryMs: 60_000 });
    gate = new Promise((resolve) => (release = resolve));
    fake.sendUserMessage({ chatId: 307, text: '/slow' });
    await waitFor(() => fake.calls.some((c) => c.method === 'sendChatAction'), 'the first command to start');
    for (let i = 0; i < 200; i++) fake.sendUserMessage({ chatId: 307, text: `/echo ${i}` });
    await fake.waitForSent((m) => m.chat_id === 307 && m.plain.includes('Slow down'));
    release();
    // 1 running + 5 queued are answered (echo 0–4); the other 195 are dropped.
    await fake.waitForSent((m) => m.chat_id === 307 && m.plain.includes('Echo') && m.plain.includes('4'), 10_000);
    await waitFor(() => logged('telegram: flood over; commands dropped from this chat').length === 1, 'the flood summary');
    expect(logged('telegram: flood over; commands dropped from this chat')).toMatchObject([{ chatId: '307', dropped: 195 }]);
    const answers = fake.sent.filter(to(307)).map((m) => m.plain.split('\n')[0]);
    expect(answers.filter((t) => t === 'Slow down, please')).toHaveLength(1);
    expect(answers.filter((t) => t === 'Echo')).toHaveLength(5);
    // 6 commands ran (/slow, echo 0–4) within one interval, so one "typing…" (the old code sent one per command: 201).
    expect(fake.calls.filter((c) => c.method === 'sendChatAction')).toHaveLength(1);
  });
});
