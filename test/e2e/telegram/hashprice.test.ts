/**
 * A user asks /hashprice on Telegram and gets the right number, with its source and age: real
 * sources (createMarket) over the fake mempool, real telegraf over the fake Bot API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { loadConfig } from '../../../src/config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { createMarket } from '../../../src/sources/index.ts';
import type { TelegramBot } from '../../../src/adapters/telegram/index.ts';
import { startFakeMempool, type FakeMempool } from '../../fakes/mempool.ts';
import { startFakeTelegram, type FakeTelegram } from '../../fakes/telegram.ts';
import { EXPECTED, PRICE_EUR, PRICE_USD, TIP_TIME_SEC } from '../../fakes/world.ts';
import { startBot } from '../../adapters/telegram/harness.ts';

// Seven minutes after the world's tip block, so ages in footers are deterministic.
const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;

let mempool: FakeMempool;
let fake: FakeTelegram;
let bot: TelegramBot;
beforeAll(async () => {
  mempool = await startFakeMempool();
  const market = createMarket({
    config: loadConfig({ ...mempool.env }),
    logger: silentLogger,
    now: () => NOW,
  });
  fake = await startFakeTelegram();
  bot = await startBot(fake, commands, { market, now: () => NOW });
});
afterAll(async () => {
  await bot?.stop();
  await fake?.close();
  await mempool?.close();
});

describe('/hashprice on Telegram', () => {
  it('answers with $38.86 per PH/day, the block and how fresh the data is', async () => {
    fake.sendUserMessage({ chatId: 201, text: '/hashprice' });
    const m = await fake.waitForSent((s) => s.chat_id === 201);
    expect(EXPECTED.hashpriceUsdPerPhDay.toFixed(2)).toBe('38.86');
    expect(m.plain).toContain('USD per PH/day: $38.86');
    expect(m.plain).toContain('Block 890,447 · mined 7 min ago');
    expect(m.plain).toMatch(/mempool \(127\.0\.0\.1\)/);
    expect(m.plain).toMatch(/Source: mempool \(127\.0\.0\.1\)/);
  });

  it('takes a what-if price and escapes hostile option values', async () => {
    fake.sendUserMessage({ chatId: 202, text: '/hashprice price=60000' });
    const m = await fake.waitForSent((s) => s.chat_id === 202);
    expect(m.plain).toContain(`USD per PH/day: $${((EXPECTED.hashpriceUsdPerPhDay * 60000) / PRICE_USD).toFixed(2)}`);
    fake.sendUserMessage({ chatId: 203, text: '/hashprice price=<script>' });
    const bad = await fake.waitForSent((s) => s.chat_id === 203);
    expect(bad.text).toContain('&lt;script&gt;');
    expect(bad.plain).toMatch(/price/);
  });

  it('parses positional arguments for other commands (/profit s19jpro 0.06, /price eur)', async () => {
    fake.sendUserMessage({ chatId: 204, text: '/profit s19jpro 0.06' });
    const profit = await fake.waitForSent((s) => s.chat_id === 204);
    expect(profit.plain).toContain('S19j Pro (29.5 J/TH) at $0.06/kWh');
    expect(profit.plain).toContain('Hashprice now: $38.86/PH/day');
    fake.sendUserMessage({ chatId: 205, text: '/price eur' });
    const price = await fake.waitForSent((s) => s.chat_id === 205);
    expect(price.plain).toContain(`BTC/EUR: €${PRICE_EUR.toLocaleString('en-US')}`);
  });

  it('a currency button on /price edits the answer in place', async () => {
    fake.sendUserMessage({ chatId: 206, text: '/price eur' });
    const first = await fake.waitForSent((s) => s.chat_id === 206);
    const gbp = (first.reply_markup.inline_keyboard.flat() as { text: string; callback_data: string }[]).find((b) => b.text === 'GBP');
    expect(gbp?.callback_data).toBe('1 price currency=GBP');
    fake.pressButton({ chatId: 206, messageId: first.message_id, data: gbp!.callback_data });
    const edited = await fake.waitForSent((s) => s.chat_id === 206 && s.method === 'editMessageText');
    expect(edited.message_id).toBe(first.message_id);
    expect(edited.plain).toContain('Bitcoin price (GBP)');
    expect(edited.plain).toMatch(/Source: mempool \(127\.0\.0\.1\)/);
  });

  it('/chart hashprice 30d comes as a photo with its caption, and a range button swaps the chart in place', async () => {
    fake.sendUserMessage({ chatId: 207, text: '/chart hashprice 30d' });
    const photo = await fake.waitForSent((s) => s.chat_id === 207);
    expect(photo.method).toBe('sendPhoto');
    expect(photo.photoBytes).toBeGreaterThan(1000);
    expect(photo.plain).toContain('Latest $38.86/PH/day (2025-04-01)');
    const week = (photo.reply_markup.inline_keyboard.flat() as { text: string; callback_data: string }[]).find((b) => b.text === '7d')!;
    fake.pressButton({ chatId: 207, messageId: photo.message_id, data: week.callback_data });
    const edited = await fake.waitForSent((s) => s.chat_id === 207 && s.method === 'editMessageMedia', 10_000);
    expect(edited.message_id).toBe(photo.message_id);
    expect(edited.plain).toContain('last 7 days');
    expect(edited.photoBytes).toBeGreaterThan(1000);
  });
});
