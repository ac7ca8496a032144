import { Telegram } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelegramDelivery } from '../../../src/adapters/telegram/delivery.ts';
import { Pacer } from '../../../src/adapters/telegram/pacer.ts';
import type { Reply } from '../../../src/core/reply.ts';
import { silentLogger } from '../../../src/logger.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram.ts';

let fake: FakeTelegram;
let delivery: TelegramDelivery;
// A 1×1 PNG is enough: the stand-in counts bytes, it does not decode.
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
// Text too long for a caption, so the chart goes first and the text follows as a second message.
const longReply: Reply = {
  title: 'Digest',
  lines: Array.from({ length: 40 }, (_, i) => `Line ${i + 1}: hashprice, hashrate and fees as of today`),
  sections: [],
  footer: ['Source: test'],
  tone: 'neutral',
  chart: { png: PNG, filename: 'c.png', alt: 'chart' },
};

beforeAll(async () => {
  fake = await startFakeTelegram();
  // A short cap, so the test's 1 s retry_after counts as "long" for a first part.
  delivery = new TelegramDelivery(new Telegram(fake.token, { apiRoot: fake.apiRoot }), new Pacer(), silentLogger, { maxRetryWaitMs: 100 });
});
afterAll(async () => {
  await fake.close();
});

describe('TelegramDelivery with a reply in several parts', () => {
  it('hands a long retry_after back when nothing has arrived yet', async () => {
    fake.failNext('sendPhoto', { code: 429, retryAfter: 1 });
    const r = await delivery.send('501', longReply);
    expect(r).toMatchObject({ ok: false, permanent: false, retryAfterMs: 1000 });
    expect(fake.sent.filter((m) => m.chat_id === 501)).toHaveLength(0);
  });

  it('waits out a retry_after once the photo is delivered, so a retry never posts the photo twice', async () => {
    fake.failNext('sendMessage', { code: 429, retryAfter: 1 });
    const r = await delivery.send('502', longReply);
    expect(r.ok).toBe(true);
    const sent = fake.sent.filter((m) => m.chat_id === 502);
    expect(sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(sent[1]!.plain).toContain('Line 40');
  });
});
