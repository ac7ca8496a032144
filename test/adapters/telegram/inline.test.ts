/**
 * Inline mode: "@bot hashprice" in any chat offers the answer as a card. Real sources over the fake
 * mempool, real telegraf over the fake Bot API, which delivers inline_query updates only when
 * allowed_updates asks for them and checks answerInlineQuery against the documented limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { createMarket } from '../../../src/sources/index.ts';
import { UpstreamError, type Market } from '../../../src/core/market.ts';
import type { TelegramBot } from '../../../src/adapters/telegram/index.ts';
import { startFakeMempool, type FakeMempool } from '../../fakes/mempool.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram.ts';
import { PRICE_EUR, TIP_TIME_SEC } from '../../fakes/world.ts';
import { startBot } from './harness.ts';

let now = (TIP_TIME_SEC + 7 * 60) * 1000;
const clock = () => now;

let mempool: FakeMempool;
let fake: FakeTelegram;
let bot: TelegramBot;
beforeAll(async () => {
  mempool = await startFakeMempool();
  const market = createMarket({ config: loadConfig({ ...mempool.env }), logger: silentLogger, now: clock });
  fake = await startFakeTelegram();
  bot = await startBot(fake, commands, { market, now: clock });
});
afterAll(async () => {
  await bot?.stop();
  await fake?.close();
  await mempool?.close();
});

const answerTo = (id: string) => fake.waitForInlineAnswer((a) => a.inline_query_id === id);
const titles = (a: { results: { title: string }[] }) => a.results.map((r) => r.title);

describe('inline queries on Telegram', () => {
  it('"hashprice" offers one card with the same figure as /hashprice, in HTML, for everyone', async () => {
    fake.sendUserMessage({ chatId: 301, text: '/hashprice' });
    const chat = await fake.waitForSent((s) => s.chat_id === 301);
    const figure = /USD per PH\/day: \$[\d.,]+/.exec(chat.plain)?.[0];
    expect(figure).toBe('USD per PH/day: $38.86');

    const answer = await answerTo(fake.sendInlineQuery({ fromId: 301, query: 'hashprice' }));
    expect(answer.results).toHaveLength(1);
    const card = answer.results[0];
    expect(card.type).toBe('article');
    expect(card.input_message_content.parse_mode).toBe('HTML');
    expect(answer.plain[0]).toContain(figure);
    expect(card.description).toContain('$38.86');
    // Buttons on a sent inline message would arrive without a message to edit.
    expect(card.reply_markup).toBeUndefined();
    expect(answer.is_personal).toBe(false);
    // Everything was fetched just now: the tip's 30 s TTL is the bound.
    expect(answer.cache_time).toBe(30);
  });

  it('"price eur" takes the currency as /price does', async () => {
    const answer = await answerTo(fake.sendInlineQuery({ fromId: 302, query: 'price eur' }));
    expect(answer.results).toHaveLength(1);
    expect(answer.plain[0]).toContain(`BTC/EUR: €${PRICE_EUR.toLocaleString('en-US')}`);
    expect(answer.plain[0]).toContain('Bitcoin price (EUR)');
  });

  it('an empty query offers hashprice, price, difficulty and fees', async () => {
    const answer = await answerTo(fake.sendInlineQuery({ fromId: 303, query: '' }));
    expect(answer.results.map((r) => r.id.replace(/^\d+-/, ''))).toEqual(['hashprice', 'price', 'difficulty', 'fees']);
    expect(new Set(answer.results.map((r) => r.id)).size).toBe(4);
    expect(answer.plain[0]).toContain('USD per PH/day: $38.86');
  });

  it('a typo offers the closest command, a prefix the commands it starts, nonsense a help card', async () => {
    const typo = await answerTo(fake.sendInlineQuery({ fromId: 304, query: 'hashprise' }));
    expect(typo.results).toHaveLength(1);
    expect(typo.results[0].description).toMatch(/^Did you mean hashprice\?/);
    expect(typo.plain[0]).toContain('USD per PH/day: $38.86');

    const prefix = await answerTo(fake.sendInlineQuery({ fromId: 305, query: 'hash' }));
    expect(prefix.results.map((r) => r.id)).toEqual(['0-hashprice', '1-hashrate']);

    const nonsense = await answerTo(fake.sendInlineQuery({ fromId: 306, query: '<b>zzzz @everyone' }));
    expect(titles(nonsense)).toEqual(['How to use hashwatch inline']);
    expect(nonsense.plain[0]).toContain('There is no command "<b>zzzz"');
    expect(nonsense.results[0].input_message_content.message_text).toContain('&lt;b&gt;zzzz');
  });

  it('commands that make no sense inline are not offered (chart, alert, digest, forget)', async () => {
    for (const [i, name] of ['chart', 'alert', 'digest', 'forget'].entries()) {
      const answer = await answerTo(fake.sendInlineQuery({ fromId: 310 + i, query: `${name} hashprice` }));
      expect(titles(answer)).toEqual(['How to use hashwatch inline']);
      expect(answer.plain[0]).toContain(`/${name} works in a chat with @`);
      const offered = /one of: ([^.]*)\./.exec(answer.plain[0]!)?.[1]?.split(', ');
      expect(offered).toContain('hashprice');
      for (const left of ['chart', 'alert', 'digest', 'forget']) expect(offered).not.toContain(left);
    }
  });

  it('only the newest query of a user typing is answered; other users are not held up', async () => {
    const ids = ['h', 'ha', 'hashp', 'hashprice'].map((query) => fake.sendInlineQuery({ fromId: 320, query }));
    const other = fake.sendInlineQuery({ fromId: 321, query: 'fees' });
    await answerTo(other);
    const last = await answerTo(ids.at(-1)!);
    expect(last.results).toHaveLength(1);
    // The first keystroke was already running when the rest arrived: it finishes, but is not answered.
    await fake.waitForInlineAnswer(() => false, 300).catch(() => undefined);
    const answered = fake.inlineAnswers.map((a) => a.inline_query_id).filter((id) => ids.includes(id));
    expect(answered).toEqual([ids.at(-1)]);
  });

  it('cache_time is the seconds left before the oldest figure is due for a refresh', async () => {
    now += 20_000;
    const answer = await answerTo(fake.sendInlineQuery({ fromId: 330, query: 'price' }));
    // Fetched 20 s ago, tip TTL 30 s: 30 − 20 = 10.
    expect(answer.results[0].title).toBe('Bitcoin price (USD)');
    expect(answer.cache_time).toBe(10);
  });
});

describe('a slow upstream', () => {
  it('is answered in time with a "being fetched" card cached for a moment', async () => {
    const slowFake = await startFakeTelegram({ token: '654321:slow-upstream' });
    let release!: () => void;
    const released = new Promise<never>((_, reject) => (release = () => reject(new UpstreamError('test', 'released'))));
    released.catch(() => undefined);
    // Every upstream read hangs until the test ends.
    const hanging = new Proxy({}, { get: () => () => released }) as Market;
    const slowBot = await startBot(slowFake, commands, { market: hanging, timing: { inlineAnswerMs: 100, stopGraceMs: 1_000 } });
    try {
      const id = slowFake.sendInlineQuery({ fromId: 340, query: 'hashprice' });
      const answer = await slowFake.waitForInlineAnswer((a) => a.inline_query_id === id);
      expect(titles(answer)).toEqual(['Data is being fetched']);
      expect(answer.cache_time).toBe(1);
    } finally {
      release();
      await slowBot.stop();
      await slowFake.close();
    }
  });
});

describe('the stand-in checks answerInlineQuery like the Bot API', () => {
  const call = async (f: FakeTelegram, body: object) => {
    const res = await fetch(`${f.apiRoot}/bot${f.token}/answerInlineQuery`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as { ok: boolean; description?: string };
  };
  const card = (id: string, text = 'hi') => ({
    type: 'article',
    id,
    title: 't',
    input_message_content: { message_text: text, parse_mode: 'HTML' },
  });

  it('refuses duplicate and over-long ids, too many results, bad HTML, empty and over-long text', async () => {
    const f = await startFakeTelegram();
    try {
      const q = () => f.sendInlineQuery({ fromId: 1, query: 'x' });
      expect((await call(f, { inline_query_id: q(), results: [card('a'), card('a')] })).description).toBe(
        'Bad Request: RESULT_ID_DUPLICATE',
      );
      expect((await call(f, { inline_query_id: q(), results: [card('x'.repeat(65))] })).description).toBe('Bad Request: RESULT_ID_INVALID');
      expect((await call(f, { inline_query_id: q(), results: Array.from({ length: 51 }, (_, i) => card(String(i))) })).description).toBe(
        'Bad Request: RESULTS_TOO_MUCH',
      );
      expect((await call(f, { inline_query_id: q(), results: [card('a', '<b>open')] })).description).toMatch(
        /^Bad Request: can't parse entities/,
      );
      expect((await call(f, { inline_query_id: q(), results: [card('a', '<b> </b>')] })).description).toBe(
        'Bad Request: message text is empty',
      );
      expect((await call(f, { inline_query_id: q(), results: [card('a', 'x'.repeat(4097))] })).description).toBe(
        'Bad Request: MESSAGE_TOO_LONG',
      );
      const ok = q();
      expect(await call(f, { inline_query_id: ok, results: [card('x'.repeat(64), 'x'.repeat(4096))] })).toMatchObject({ ok: true });
      expect((await call(f, { inline_query_id: ok, results: [] })).description).toMatch(/query is too old/);
    } finally {
      await f.close();
    }
  });
});
