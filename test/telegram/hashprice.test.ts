/** A user asks /hashprice on Telegram and gets the right number, with its source and age. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { UpstreamError, type Market, type Sourced } from '../../src/sources/types.ts';
import type { TelegramBot } from '../../src/adapters/telegram/index.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram.ts';
import { AVG_FEES_SATS, DIFFICULTY, PRICE_EUR, PRICE_USD, SUBSIDY_SATS, TIP_HEIGHT, TIP_TIME_SEC } from '../fakes/world.ts';
import { startBot } from './harness.ts';

const NOW = (TIP_TIME_SEC + 420) * 1000;
const sourced = <T>(value: T): Promise<Sourced<T>> => Promise.resolve({ value, source: 'mempool.space', fetchedAt: NOW - 60_000, stale: false });

/** The world's tip, fees and price; everything else unavailable (history is optional for /hashprice). */
const market = new Proxy({} as Market, {
  get(_t, name: string) {
    switch (name) {
      case 'tip':
        return () => sourced({ height: TIP_HEIGHT, timestampSec: TIP_TIME_SEC, difficulty: DIFFICULTY });
      case 'network':
        return () => sourced({ height: TIP_HEIGHT, difficulty: DIFFICULTY, hashrate: 8.1e20 });
      case 'rewardStats':
        return () =>
          sourced({ startBlock: TIP_HEIGHT - 143, endBlock: TIP_HEIGHT, totalRewardSats: 144 * (SUBSIDY_SATS + AVG_FEES_SATS), totalFeeSats: 144 * AVG_FEES_SATS, totalTx: 520_000 });
      case 'prices':
        return () => sourced({ timeSec: TIP_TIME_SEC, rates: { USD: PRICE_USD, EUR: PRICE_EUR } });
      case 'callCounts':
        return () => ({});
      default:
        return () => Promise.reject(new UpstreamError(name, `${name} is not part of this test`));
    }
  },
});

let fake: FakeTelegram;
let bot: TelegramBot;
beforeAll(async () => {
  fake = await startFakeTelegram();
  bot = await startBot(fake, commands, { market, now: () => NOW });
});
afterAll(async () => {
  await bot?.stop();
  await fake?.close();
});

describe('/hashprice on Telegram', () => {
  it('answers with $38.86 per PH/day, the block and how fresh the data is', async () => {
    fake.sendUserMessage({ chatId: 201, text: '/hashprice' });
    const m = await fake.waitForSent((s) => s.chat_id === 201);
    expect(m.plain).toContain('USD per PH/day: $38.86');
    expect(m.plain).toContain('Block 890,447');
    expect(m.plain).toMatch(/mempool\.space/);
    expect(m.plain).toMatch(/ago|just now/);
  });

  it('takes a what-if price and escapes hostile option values', async () => {
    fake.sendUserMessage({ chatId: 202, text: '/hashprice price=60000' });
    const m = await fake.waitForSent((s) => s.chat_id === 202);
    // 38.86398720675945 × 60000 / 69880
    expect(m.plain).toContain(`USD per PH/day: $${((38.86398720675945 * 60000) / PRICE_USD).toFixed(2)}`);
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
});
