/**
 * The adapter end to end: real telegraf, unmodified, long polling the local Bot API stand-in over
 * real sockets. Each test uses its own chat so pacing in one never slows another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCommand, type Command } from '../../../src/core/command.ts';
import type { Reply } from '../../../src/core/reply.ts';
import { helpCommand } from '../../../commands/help.ts';
import type { TelegramBot } from '../../../src/adapters/telegram/index.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../../fakes/telegram.ts';
import { freePort, startBot } from './harness.ts';

const footer = ['test source · fetched just now'];
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

const testCommands: Command[] = [
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
    name: 'period',
    description: 'Shows a period with buttons to switch',
    options: { period: { kind: 'choice', choices: ['1w', '1m', '3m'], example: '1m', description: 'Window' } },
    examples: ['/period 1m'],
    async run(_ctx, args) {
      const period = args.period ?? '1w';
      return {
        title: `Period ${period}`,
        sections: [{ fields: [{ label: 'Window', value: period }] }],
        footer,
        tone: 'neutral',
        buttons: ['1w', '1m', '3m'].map((p) => ({ label: p, command: 'period', args: { period: p } })),
      };
    },
  }),
  defineCommand({
    name: 'long',
    description: 'A reply longer than one Telegram message',
    options: {},
    examples: ['/long'],
    async run() {
      const lines = Array.from({ length: 400 }, (_, i) => `row ${String(i).padStart(3, '0')} <${'x'.repeat(12)}>`);
      return { title: 'Long', lines, sections: [], footer, tone: 'neutral' };
    },
  }),
  defineCommand({
    name: 'boom',
    description: 'Always throws',
    options: {},
    examples: ['/boom'],
    async run(): Promise<Reply> {
      throw new Error('kaboom with internal detail');
    },
  }),
  defineCommand({
    name: 'chart',
    description: 'A reply with a chart',
    options: { size: { kind: 'choice', choices: ['short', 'other', 'long'], example: 'short', description: 'Text size' } },
    examples: ['/chart'],
    async run(_ctx, args) {
      const lines =
        args.size === 'long'
          ? Array.from({ length: 80 }, (_, i) => `detail line ${i}`)
          : [args.size === 'other' ? 'another line @someone' : 'one line'];
      const png = args.size === 'other' ? Buffer.concat([PNG, PNG]) : PNG;
      const buttons = ['short', 'other', 'long'].map((size) => ({ label: size, command: 'chart', args: { size } }));
      return { title: 'Chart', lines, sections: [], footer, tone: 'neutral', chart: { png, filename: 'c.png', alt: 'a chart' }, buttons };
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
const commands: Command[] = [...testCommands];
commands.push(helpCommand(() => commands) as unknown as Command);

let fake: FakeTelegram;
let bot: TelegramBot;
beforeAll(async () => {
  fake = await startFakeTelegram({ botUsername: 'HashwatchTestBot' });
  bot = await startBot(fake, commands);
});
afterAll(async () => {
  await bot?.stop();
  await fake?.close();
});

const to = (chatId: number) => (m: SentMessage) => m.chat_id === chatId;

describe('Telegram adapter (long polling)', () => {
  it('registers the command menu at start-up', () => {
    expect(bot.botUsername).toBe('HashwatchTestBot');
    expect(fake.myCommands.map((c) => c.command)).toEqual(commands.map((c) => c.name));
  });

  it('greets on /start and lists commands on /help', async () => {
    fake.sendUserMessage({ chatId: 101, text: '/start' });
    const hello = await fake.waitForSent(to(101));
    expect(hello.plain).toMatch(/Welcome to hashwatch/);
    expect(hello.plain).toMatch(/\/help/);
    fake.sendUserMessage({ chatId: 102, text: '/help' });
    const help = await fake.waitForSent(to(102));
    for (const c of commands) expect(help.plain).toContain(`/${c.name}`);
    expect(help.parse_mode).toBe('HTML');
  });

  it('parses positional and key=value arguments', async () => {
    fake.sendUserMessage({ chatId: 103, text: '/period period=3m' });
    expect((await fake.waitForSent(to(103))).plain).toContain('Period 3m');
    fake.sendUserMessage({ chatId: 104, text: '/period 1m' });
    expect((await fake.waitForSent(to(104))).plain).toContain('Period 1m');
  });

  it('in groups answers /cmd@ThisBot and plain /cmd, ignores /cmd@OtherBot and unknown commands', async () => {
    const group = -100200;
    fake.sendUserMessage({ chatId: group, chatType: 'supergroup', text: '/echo@OtherBot not-for-us' });
    fake.sendUserMessage({ chatId: group, chatType: 'supergroup', text: '/weather' });
    fake.sendUserMessage({ chatId: group, chatType: 'supergroup', text: '/echo@hashwatchtestbot first' });
    fake.sendUserMessage({ chatId: group, chatType: 'supergroup', text: '/echo second' });
    await fake.waitForSent((m) => m.chat_id === group && m.plain.includes('first'));
    await fake.waitForSent((m) => m.chat_id === group && m.plain.includes('second'));
    // A marker sent last: once it is answered, everything before it has been handled.
    fake.sendUserMessage({ chatId: group, chatType: 'supergroup', text: '/echo marker' });
    await fake.waitForSent((m) => m.chat_id === group && m.plain.includes('marker'));
    const texts = fake.sent.filter(to(group)).map((m) => m.plain);
    expect(texts).toHaveLength(3);
    expect(texts.join('\n')).not.toMatch(/not-for-us|Unknown command/);
  });

  it('answers an unknown command in a private chat with the list of commands', async () => {
    fake.sendUserMessage({ chatId: 105, text: '/weather' });
    const m = await fake.waitForSent(to(105));
    expect(m.plain).toMatch(/Unknown command/);
    expect(m.plain).toContain('/echo');
  });

  it('escapes HTML in arguments, in echoes and in validation messages', async () => {
    fake.sendUserMessage({ chatId: 106, text: '/echo "<b>x</b> & <script>alert(1)</script>"' });
    const echo = await fake.waitForSent(to(106));
    expect(echo.plain).toContain('<b>x</b> & <script>alert(1)</script>');
    expect(echo.text).toContain('&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;');
    fake.sendUserMessage({ chatId: 107, text: '/period period=<script>' });
    const invalid = await fake.waitForSent(to(107));
    expect(invalid.plain).toContain('"<script>"');
    expect(invalid.plain).toMatch(/must be one of: 1w, 1m, 3m/);
  });

  it('a button press edits the message in place and is answered', async () => {
    fake.sendUserMessage({ chatId: 108, text: '/period 1w' });
    const first = await fake.waitForSent(to(108));
    const buttons = first.reply_markup.inline_keyboard.flat() as { text: string; callback_data: string }[];
    const oneMonth = buttons.find((b) => b.text === '1m')!;
    const answered = fake.callbackAnswers.length;
    fake.pressButton({ chatId: 108, messageId: first.message_id, data: oneMonth.callback_data });
    const edited = await fake.waitForSent((m) => m.method === 'editMessageText' && m.chat_id === 108);
    expect(edited.message_id).toBe(first.message_id);
    expect(edited.plain).toContain('Period 1m');
    await waitFor(() => fake.callbackAnswers.length > answered);
    expect(fake.callbackAnswers.at(-1).text).toBeUndefined();
  });

  it('a forged or garbled button gets a polite answer, and the bot keeps working', async () => {
    fake.sendUserMessage({ chatId: 109, text: '/period 1w' });
    const first = await fake.waitForSent(to(109));
    const before = fake.callbackAnswers.length;
    fake.pressButton({ chatId: 109, messageId: first.message_id, data: '\u0000garbage' });
    fake.pressButton({ chatId: 109, messageId: first.message_id, data: '1 period period=9y' });
    fake.pressButton({ chatId: 109, messageId: first.message_id, data: '1 nosuchcommand' });
    await waitFor(() => fake.callbackAnswers.length >= before + 3);
    const answers = fake.callbackAnswers.slice(before);
    expect(answers.filter((a) => /no longer works/.test(a.text))).toHaveLength(2);
    const invalid = answers.find((a) => /must be one of/.test(a.text));
    expect(invalid?.show_alert).toBe(true);
    expect(fake.sent.filter((m) => m.method === 'editMessageText' && m.chat_id === 109)).toHaveLength(0);
    fake.sendUserMessage({ chatId: 109, text: '/echo still-alive' });
    await fake.waitForSent((m) => m.chat_id === 109 && m.plain.includes('still-alive'));
  });

  it('waits out a 429 and delivers the message exactly once', async () => {
    const before429 = fake.count429;
    fake.failNext('sendMessage', { code: 429, retryAfter: 1 });
    fake.sendUserMessage({ chatId: 110, text: '/echo after-429' });
    await fake.waitForSent((m) => m.chat_id === 110 && m.plain.includes('after-429'));
    expect(fake.count429).toBe(before429 + 1);
    fake.sendUserMessage({ chatId: 110, text: '/echo next' });
    await fake.waitForSent((m) => m.chat_id === 110 && m.plain.includes('next'));
    expect(fake.sent.filter((m) => m.chat_id === 110 && m.plain.includes('after-429'))).toHaveLength(1);
  });

  it('splits a long reply at line boundaries, each part within 4096, nothing lost', async () => {
    fake.sendUserMessage({ chatId: 111, text: '/long' });
    await fake.waitForSent((m) => m.chat_id === 111 && m.plain.includes('test source'));
    const parts = fake.sent.filter(to(111));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.text!.length).toBeLessThanOrEqual(4096);
      expect(p.plain.split('\n')[0]).toMatch(/^(Long|row \d{3} <x{12}>)$/);
    }
    const rows = parts.flatMap((p) => p.plain.split('\n')).filter((l) => l.startsWith('row '));
    expect(rows).toEqual(Array.from({ length: 400 }, (_, i) => `row ${String(i).padStart(3, '0')} <${'x'.repeat(12)}>`));
  });

  it('a command that throws gets an apology without internals, and the bot keeps answering', async () => {
    fake.sendUserMessage({ chatId: 112, text: '/boom' });
    const sorry = await fake.waitForSent(to(112));
    expect(sorry.plain).toMatch(/\/boom failed/);
    expect(sorry.plain).not.toMatch(/kaboom/);
    fake.sendUserMessage({ chatId: 112, text: '/echo fine' });
    await fake.waitForSent((m) => m.chat_id === 112 && m.plain.includes('fine'));
  });

  it('sends charts as photos: text as caption when it fits, otherwise a follow-up message', async () => {
    fake.sendUserMessage({ chatId: 113, text: '/chart short' });
    const photo = await fake.waitForSent(to(113));
    expect(photo).toMatchObject({ method: 'sendPhoto', photoBytes: PNG.length });
    expect(photo.plain).toContain('one line');
    fake.sendUserMessage({ chatId: 114, text: '/chart long' });
    await fake.waitForSent((m) => m.chat_id === 114 && m.method === 'sendMessage');
    const [pic, text] = fake.sent.filter(to(114));
    expect(pic).toMatchObject({ method: 'sendPhoto', plain: 'Chart' });
    expect(text!.plain).toContain('detail line 79');
  });

  it('a button under a chart replaces the photo and caption in place; in groups the photo answers the asking message', async () => {
    const group = -100400;
    const asked = fake.sendUserMessage({ chatId: group, chatType: 'supergroup', text: '/chart short' });
    const photo = await fake.waitForSent(to(group));
    expect(photo).toMatchObject({ method: 'sendPhoto', reply_to_message_id: asked });
    const other = (photo.reply_markup.inline_keyboard.flat() as { text: string; callback_data: string }[]).find((b) => b.text === 'other')!;
    const answered = fake.callbackAnswers.length;
    fake.pressButton({ chatId: group, messageId: photo.message_id, data: other.callback_data });
    const edited = await fake.waitForSent((m) => m.chat_id === group && m.method === 'editMessageMedia');
    expect(edited).toMatchObject({ message_id: photo.message_id, photoBytes: 2 * PNG.length });
    expect(edited.plain).toContain('another line @\u2060someone');
    expect(edited.reply_markup.inline_keyboard.flat().map((b: { text: string }) => b.text)).toEqual(['short', 'other', 'long']);
    await waitFor(() => fake.callbackAnswers.length > answered);
    // Nothing new was posted: the chart changed where it stood.
    expect(fake.sent.filter((m) => m.chat_id === group && m.method !== 'editMessageMedia')).toHaveLength(1);
  });

  it('asks Telegram whether a group member is an admin; private chats are always admin', async () => {
    const group = -100300;
    fake.setAdmins(group, [41, 42]);
    fake.sendUserMessage({ chatId: group, chatType: 'group', fromId: 42, text: '/amadmin' });
    expect((await fake.waitForSent(to(group))).plain).toContain('admin: true');
    fake.sendUserMessage({ chatId: group, chatType: 'group', fromId: 43, text: '/amadmin@HashwatchTestBot' });
    await fake.waitForSent((m) => m.chat_id === group && m.plain.includes('admin: false'));
    fake.sendUserMessage({ chatId: 115, text: '/amadmin' });
    expect((await fake.waitForSent(to(115))).plain).toContain('admin: true');
  });
});

describe('Telegram sender (proactive messages)', () => {
  const reply: Reply = { title: 'Alert', lines: ['Hashprice fell below $40'], sections: [], footer, tone: 'down' };

  it('delivers and returns the message ids', async () => {
    const r = await bot.sender.send({ platform: 'telegram', chatId: '120', kind: 'user' }, reply);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.messageIds).toEqual([String(fake.sent.filter(to(120))[0]!.message_id)]);
  });

  it('reports a blocked chat (403) as permanent', async () => {
    fake.blockChat(121);
    const r = await bot.sender.send({ platform: 'telegram', chatId: '121', kind: 'user' }, reply);
    expect(r).toMatchObject({ ok: false, permanent: true, reason: expect.stringMatching(/blocked/) });
  });

  it('follows a group migration and reports the new id', async () => {
    fake.failNext('sendMessage', { code: 400, migrateTo: -100999 });
    const r = await bot.sender.send({ platform: 'telegram', chatId: '-122', kind: 'channel' }, reply);
    expect(r).toMatchObject({ ok: true, migratedTo: '-100999' });
    expect(fake.sent.filter(to(-100999))).toHaveLength(1);
    expect(fake.sent.filter(to(-122))).toHaveLength(0);
  });

  it('hands a long retry_after back to the caller instead of blocking', async () => {
    fake.failNext('sendMessage', { code: 429, retryAfter: 120 });
    const r = await bot.sender.send({ platform: 'telegram', chatId: '123', kind: 'user' }, reply);
    expect(r).toMatchObject({ ok: false, permanent: false, retryAfterMs: 120_000 });
    expect(fake.sent.filter(to(123))).toHaveLength(0);
  });
});

describe('Telegram button on a slow command', () => {
  it('answers the callback before the command finishes, then edits; a late error goes to the chat', async () => {
    let open: () => void = () => {};
    const slow = defineCommand({
      name: 'slow',
      description: 'Answers when the test lets it',
      options: { fail: { kind: 'choice', choices: ['no', 'yes'], example: 'no', description: 'Fail at the end' } },
      examples: ['/slow'],
      async run(_ctx, args): Promise<Reply> {
        await new Promise<void>((resolve) => (open = resolve));
        if (args.fail === 'yes')
          return { title: 'Slow failed', lines: ['upstream <down>'], sections: [], footer: [], tone: 'error', ephemeral: true };
        return {
          title: 'Slow done',
          sections: [],
          footer,
          tone: 'neutral',
          buttons: [{ label: 'again', command: 'slow', args: { fail: 'yes' } }],
        };
      },
    }) as unknown as Command;
    const f = await startFakeTelegram();
    const b = await startBot(f, [slow], { answerCallbackAfterMs: 20 });
    try {
      f.sendUserMessage({ chatId: 140, text: '/slow' });
      await waitFor(() => f.calls.some((c) => c.method === 'sendChatAction'));
      open();
      const first = await f.waitForSent((m) => m.chat_id === 140);
      f.pressButton({ chatId: 140, messageId: first.message_id, data: first.reply_markup.inline_keyboard[0][0].callback_data });
      // The gate is still shut: the spinner has been stopped all the same.
      await waitFor(() => f.callbackAnswers.length === 1);
      expect(f.callbackAnswers[0].text).toBeUndefined();
      open();
      const said = await f.waitForSent((m) => m.chat_id === 140 && m.plain.includes('Slow failed'));
      expect(said.method).toBe('sendMessage');
      expect(said.plain).toContain('upstream <down>');
      expect(f.callbackAnswers).toHaveLength(1);
      expect(f.sent.filter((m) => m.method === 'editMessageText')).toHaveLength(0);
    } finally {
      await b.stop();
      await f.close();
    }
  });
});

describe('Telegram start-up and webhook mode', () => {
  it('a failing setMyCommands is logged, not fatal', async () => {
    const f = await startFakeTelegram();
    f.failNext('setMyCommands', { code: 403, description: 'Forbidden' });
    const b = await startBot(f, commands);
    try {
      expect(f.myCommands).toEqual([]);
      f.sendUserMessage({ chatId: 130, text: '/echo works' });
      await f.waitForSent((m) => m.plain.includes('works'));
    } finally {
      await b.stop();
      await f.close();
    }
  });

  it('rejects a wrong webhook secret and answers updates carrying the right one', async () => {
    const f = await startFakeTelegram();
    const port = await freePort();
    const secret = 'right-secret_123';
    const url = `http://127.0.0.1:${port}/telegram/hook`;
    const b = await startBot(f, commands, {
      env: { TELEGRAM_WEBHOOK_URL: url, TELEGRAM_WEBHOOK_SECRET: secret, TELEGRAM_WEBHOOK_PORT: String(port) },
    });
    try {
      expect(f.webhook).toEqual({ url, secretToken: secret });
      const update = JSON.stringify({
        update_id: 999,
        message: {
          message_id: 1,
          date: 0,
          chat: { id: 131, type: 'private' },
          from: { id: 131, is_bot: false, first_name: 'Eve' },
          text: '/echo forged',
        },
      });
      const attempts: Record<string, string>[] = [{ 'x-telegram-bot-api-secret-token': 'wrong-secret_123' }, {}];
      for (const headers of attempts) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: update });
        expect(res.status).toBe(403);
      }
      f.sendUserMessage({ chatId: 132, text: '/echo via-webhook' });
      await f.waitForSent((m) => m.chat_id === 132 && m.plain.includes('via-webhook'));
      expect(f.sent.some((m) => m.plain.includes('forged'))).toBe(false);
      expect(f.calls.some((c) => c.method === 'getUpdates')).toBe(false);
    } finally {
      await b.stop();
      await f.close();
    }
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
