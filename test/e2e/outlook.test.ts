/**
 * The forward-looking figures end to end on both chat platforms: real telegraf and a real discord.js
 * client against the local stand-ins. The figures are the hand-checked ones of outlook.test.ts
 * (terminal), so all three surfaces agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDiscord } from '../fakes/discord.ts';
import type { FakeTelegram } from '../fakes/telegram.ts';
import { startSurfaces, type Surfaces } from './surfaces.ts';
import { escapeDiscord } from '../../src/adapters/discord/format.ts';

let surfaces: Surfaces;
let telegram: FakeTelegram;
let discord: FakeDiscord;
const discordAnswer = (id: string) => surfaces.discordAnswer(id);

beforeAll(async () => {
  surfaces = await startSurfaces([
    ['hashprice', {}],
    ['security', {}],
    ['profit', { power: 0.06 }],
    ['pools', {}],
  ]);
  ({ telegram, discord } = surfaces);
});
afterAll(async () => {
  await surfaces?.stop();
});

const cases: { name: string; telegram: string; discord: Record<string, string | number | boolean>; figures: string[] }[] = [
  // $38.86398720675945 / 1.05914788959658535 = $36.69, 358,794,375 ms = 4.2 days ahead.
  {
    name: 'hashprice',
    telegram: '/hashprice',
    discord: {},
    figures: ['After the adjustment in ~4.2 days, est. +5.9 %: $36.69/PH/day', "Estimate: today's price and fees"],
  },
  // 144 × 1.5825 × 365.25 / 20,343,751.5625 = 0.41 %; 1.5825 / 3.145 = 50.3 %; 144 × 0.80125 × 365.25 / 20,671,875.78125 = 0.20 %; 2.36375 / 3.145 = 75.2 %.
  {
    name: 'security',
    telegram: '/security',
    discord: {},
    figures: [
      "After the halving at block 1,050,000 (1.5625 BTC): 0.41 % of the market cap a year; keeping today's budget takes fees of 50.3 % of revenue.",
      "After the halving at block 1,260,000 (0.78125 BTC): 0.20 % of the market cap a year; keeping today's budget takes fees of 75.2 % of revenue.",
    ],
  },
  // Under water above 0.038864 / 0.00144 = 26.99 J/TH: 4 of 17; S21 XP Hyd breaks even at 0.038864 / 0.288 = $0.135.
  {
    name: 'profit',
    telegram: '/profit power=0.06',
    discord: { power: 0.06 },
    figures: [
      'At $0.06/kWh, 4 of 17 models lose money',
      '$0.0216/TH/day (power $0.0173) · breaks even ≤ $0.135/kWh',
      '⚠ −$0.0104/TH/day (power $0.0492) · breaks even ≤ $0.047/kWh',
    ],
  },
  // Foundry USA 307 / 1,024 = 30.0 % four weeks back, 323 / 1,024 = 31.5 % now; Nakamoto 3 both.
  {
    name: 'pools',
    telegram: '/pools',
    discord: {},
    figures: [
      'concentration rose: largest pool Foundry USA 30.0 % (week to 2025-03-03) → Foundry USA 31.5 % (week to 2025-03-31); Nakamoto coefficient 3 → 3',
    ],
  },
];

describe.each(cases)('/$name on Telegram and Discord', ({ name, telegram: typed, discord: options, figures }) => {
  const chatId = 400 + cases.findIndex((c) => c.name === name);

  it('Telegram', async () => {
    telegram.sendUserMessage({ chatId, text: typed });
    const m = await telegram.waitForSent((s) => s.chat_id === chatId);
    for (const f of figures) expect(m.plain).toContain(f);
    expect(m.plain).toContain('Source: mempool (127.0.0.1)');
    expect(m.text?.length).toBeLessThanOrEqual(4096);
  });

  it('Discord', async () => {
    const { text, message } = await discordAnswer(discord.sendCommand({ name, options, guildId: discord.guildId }));
    // Discord shows Markdown: the renderer escapes "~" and "*", so the figure arrives escaped.
    for (const f of figures) expect(text).toContain(escapeDiscord(f));
    expect(text).toContain('Source: mempool (127.0.0.1)');
    expect(message.embeds[0].fields.length).toBeLessThanOrEqual(25);
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });
});
