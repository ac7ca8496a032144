/** The stand-in must behave like the real Bot API where our adapter depends on it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Telegram, TelegramError } from 'telegraf';
import { parseTelegramHtml, startFakeTelegram, type FakeTelegram } from './telegram.ts';

let fake: FakeTelegram;
let tg: Telegram;
beforeAll(async () => {
  fake = await startFakeTelegram({ botUsername: 'FakeBot' });
  tg = new Telegram(fake.token, { apiRoot: fake.apiRoot, webhookReply: false });
});
afterAll(() => fake.close());

const apiError = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(TelegramError);
      return e as TelegramError;
    },
  );

describe('fake Telegram Bot API', () => {
  it('checks the token', async () => {
    const wrong = new Telegram('999:wrong-token-xx', { apiRoot: fake.apiRoot });
    expect((await apiError(wrong.getMe())).code).toBe(401);
    expect((await tg.getMe()).username).toBe('FakeBot');
  });

  it('parses HTML like Telegram and rejects unknown or unbalanced tags', () => {
    expect(parseTelegramHtml('<b>a &amp; b</b> &lt;x&gt; &#36;')).toBe('a & b <x> $');
    expect(() => parseTelegramHtml('<script>x</script>')).toThrow(/can't parse entities/);
    expect(() => parseTelegramHtml('<b>x')).toThrow(/can't parse entities/);
    expect(() => parseTelegramHtml('<b><i>x</b></i>')).toThrow(/can't parse entities/);
    expect(() => parseTelegramHtml('a < b')).toThrow(/can't parse entities/);
    expect(() => parseTelegramHtml('&nbsp;')).toThrow(/can't parse entities/);
  });

  it('enforces text and caption limits on visible length', async () => {
    const ok = `<b>${'x'.repeat(4096)}</b>`;
    await tg.sendMessage(5, ok, { parse_mode: 'HTML' });
    expect((await apiError(tg.sendMessage(5, 'x'.repeat(4097)))).description).toMatch(/too long/);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const bad = await apiError(tg.sendPhoto(5, { source: png, filename: 'c.png' }, { caption: 'y'.repeat(1025) }));
    expect(bad.description).toMatch(/caption is too long/);
    const photo = await tg.sendPhoto(5, { source: png, filename: 'c.png' }, { caption: '<i>chart</i>', parse_mode: 'HTML' });
    expect(photo.message_id).toBeGreaterThan(0);
    const last = fake.sent.at(-1)!;
    expect(last).toMatchObject({ method: 'sendPhoto', chat_id: 5, caption: '<i>chart</i>', plain: 'chart', photoBytes: png.length });
  });

  it('serves updates with offset semantics and long polling', async () => {
    fake.sendUserMessage({ chatId: 7, text: '/hashprice price=1' });
    const first = await tg.callApi('getUpdates', { offset: 0, timeout: 0 });
    expect(first).toHaveLength(1);
    const id = first[0]!.update_id;
    expect(await tg.callApi('getUpdates', { offset: id, timeout: 0 })).toHaveLength(1);
    const waiting = tg.callApi('getUpdates', { offset: id + 1, timeout: 5 });
    setTimeout(() => fake.sendUserMessage({ chatId: 7, text: 'hello' }), 20);
    const next = await waiting;
    expect(next.map((u) => u.update_id)).toEqual([id + 1]);
  });

  it('injects 429, 403 and migration faults, then recovers', async () => {
    fake.failNext('sendMessage', { code: 429, retryAfter: 3 });
    const tooMany = await apiError(tg.sendMessage(8, 'a'));
    expect(tooMany.code).toBe(429);
    expect(tooMany.parameters?.retry_after).toBe(3);
    fake.failNext('sendMessage', { code: 400, migrateTo: -100123 });
    expect((await apiError(tg.sendMessage(-8, 'a'))).parameters?.migrate_to_chat_id).toBe(-100123);
    fake.blockChat(9);
    expect((await apiError(tg.sendMessage(9, 'a'))).code).toBe(403);
    await tg.sendMessage(8, 'a');
    expect(fake.count429).toBeGreaterThanOrEqual(1);
  });

  it('edits text messages and refuses a no-op edit', async () => {
    const m = await tg.sendMessage(10, 'one');
    await tg.editMessageText(10, m.message_id, undefined, 'two');
    expect(fake.sent.at(-1)).toMatchObject({ method: 'editMessageText', message_id: m.message_id, plain: 'two' });
    expect((await apiError(tg.editMessageText(10, m.message_id, undefined, 'two'))).description).toMatch(/not modified/);
  });

  it('answers each callback query once', async () => {
    fake.pressButton({ chatId: 11, messageId: 1, data: 'x' });
    const [u] = await tg.callApi('getUpdates', { offset: 0, timeout: 0 }).then((us) => us.filter((x) => 'callback_query' in x));
    const id = (u as any).callback_query.id as string;
    await tg.answerCbQuery(id, 'ok');
    expect((await apiError(tg.answerCbQuery(id))).code).toBe(400);
    expect(fake.callbackAnswers.at(-1)).toMatchObject({ callback_query_id: id, text: 'ok' });
  });

  it('answers getUpdates with injected 409, 401, 400 and 502, then with updates again', async () => {
    fake.failUpdates({ code: 409 });
    fake.failUpdates({ code: 401 });
    fake.failUpdates({ code: 400, description: 'Bad Request: wrong offset' });
    fake.failUpdates({ code: 502 });
    const poll = () => tg.callApi('getUpdates', { offset: 0, timeout: 0 });
    const conflict = await apiError(poll());
    expect([conflict.code, conflict.description]).toEqual([
      409,
      'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
    ]);
    expect((await apiError(poll())).code).toBe(401);
    expect((await apiError(poll())).description).toBe('Bad Request: wrong offset');
    expect((await apiError(poll())).code).toBe(502);
    expect(Array.isArray(await poll())).toBe(true);
  });

  it('holds a hung call open until the client gives up, then answers the next one', async () => {
    fake.hangNext('getChatMember');
    const controller = new AbortController();
    const hung = tg.callApi('getChatMember', { chat_id: -5, user_id: 1 }, { signal: controller.signal as any });
    for (let i = 0; i < 100 && fake.hanging === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fake.hanging).toBe(1);
    controller.abort();
    await expect(hung).rejects.toMatchObject({ name: 'AbortError' });
    for (let i = 0; i < 100 && fake.hanging === 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fake.hanging).toBe(0);
    expect((await tg.getChatMember(-5, 1)).status).toBe('member');
  });

  it('serves the same bot at another entrance and records which entrance each call came through', async () => {
    const root = await fake.entrance('second');
    expect(root).not.toBe(fake.apiRoot);
    const other = new Telegram(fake.token, { apiRoot: root, webhookReply: false });
    expect((await other.getMe()).username).toBe('FakeBot');
    const before = Date.now();
    await other.sendMessage(12, 'via the second door');
    await tg.sendMessage(12, 'via apiRoot');
    const [second, first] = fake.sent.filter((m) => m.chat_id === 12);
    expect(second).toMatchObject({ plain: 'via the second door', via: 'second' });
    expect(second!.at).toBeGreaterThanOrEqual(before);
    expect(first!.via).toBeUndefined();
    expect(fake.calls.filter((c) => c.via === 'second').map((c) => c.method)).toEqual(['getMe', 'sendMessage']);
    const wrong = new Telegram('999:wrong-token-xx', { apiRoot: root });
    expect((await apiError(wrong.getMe())).code).toBe(401);
  });

  it('enforces a global rate with 429 + retry_after', async () => {
    const limited = await startFakeTelegram({ maxPerSecond: 2 });
    try {
      const t = new Telegram(limited.token, { apiRoot: limited.apiRoot });
      await t.sendMessage(1, 'a');
      await t.sendMessage(2, 'b');
      const err = await apiError(t.sendMessage(3, 'c'));
      expect(err.code).toBe(429);
      expect(limited.count429).toBe(1);
    } finally {
      await limited.close();
    }
  });

  it('holds one long poll per bot: a second waiting getUpdates ends the first with 409', async () => {
    const own = await startFakeTelegram();
    try {
      const t = new Telegram(own.token, { apiRoot: own.apiRoot });
      const first = t.callApi('getUpdates', { offset: 0, timeout: 5 });
      await waitUntil(() => own.calls.filter((c) => c.method === 'getUpdates').length === 1);
      // Answered at once (timeout 0): leaves the waiting poll alone.
      expect(await t.callApi('getUpdates', { offset: 0, timeout: 0 })).toEqual([]);
      const second = t.callApi('getUpdates', { offset: 0, timeout: 5 });
      const conflict = await apiError(first);
      expect([conflict.code, conflict.description]).toEqual([
        409,
        'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      ]);
      expect(own.pollConflicts).toBe(1);
      own.sendUserMessage({ chatId: 3, text: 'hi' });
      expect((await second).map((u) => u.update_id)).toEqual([1]);
    } finally {
      await own.close();
    }
  });

  it('takes setWebhook once a second, and a repeat with the same URL and secret changes nothing', async () => {
    const own = await startFakeTelegram();
    try {
      const t = new Telegram(own.token, { apiRoot: own.apiRoot });
      const url = 'http://127.0.0.1:9/hook';
      expect(await t.setWebhook(url, { secret_token: 'secret_1' })).toBe(true);
      const tooSoon = await apiError(t.setWebhook(url, { secret_token: 'secret_1' }));
      expect([tooSoon.code, tooSoon.parameters?.retry_after]).toEqual([429, 1]);
      await new Promise((r) => setTimeout(r, 1_100));
      expect(await t.setWebhook(url, { secret_token: 'secret_1' })).toBe(true);
      expect(own.webhookChanges).toBe(1);
      await new Promise((r) => setTimeout(r, 1_100));
      await t.setWebhook(url, { secret_token: 'secret_2' });
      expect([own.webhookChanges, own.webhook?.secretToken]).toEqual([2, 'secret_2']);
    } finally {
      await own.close();
    }
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
