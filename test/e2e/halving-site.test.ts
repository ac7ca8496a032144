/**
 * /halving and /site end to end on both chat platforms: real telegraf and a real discord.js client
 * against the local stand-ins, numbers from the real market reading the fake mempool. The figures are
 * the hand-checked ones of halving-site.test.ts (terminal), so all three surfaces agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDiscord } from '../fakes/discord.ts';
import type { FakeTelegram } from '../fakes/telegram.ts';
import { startSurfaces, type Surfaces } from './surfaces.ts';

let surfaces: Surfaces;
let telegram: FakeTelegram;
let discord: FakeDiscord;
const discordAnswer = (id: string) => surfaces.discordAnswer(id);

beforeAll(async () => {
  surfaces = await startSurfaces([['halving', {}]]);
  ({ telegram, discord } = surfaces);
});
afterAll(async () => {
  await surfaces?.stop();
});

describe('/halving on Telegram and Discord', () => {
  // 159,553 blocks to 1,050,000; hashprice $38.86 × 1.5825 / 3.145 = $19.56; fees 3.125 + 0.02 − 1.5625 = 1.5825 BTC.
  const figures = ['159,553', '2028-02-27', '$19.56/PH/day', '1.5825 BTC', '158 sat/vB', 'Block 890,447 · mined 7 min ago'];

  it('Telegram', async () => {
    telegram.sendUserMessage({ chatId: 301, text: '/halving' });
    const m = await telegram.waitForSent((s) => s.chat_id === 301);
    for (const f of figures) expect(m.plain).toContain(f);
    expect(m.text?.length).toBeLessThanOrEqual(4096);
  });

  it('Discord', async () => {
    const { text, message } = await discordAnswer(discord.sendCommand({ name: 'halving', guildId: discord.guildId }));
    for (const f of figures) expect(text).toContain(f);
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('/site on Telegram and Discord', () => {
  // 50 MW of S21 XP at $0.04: revenue 1e6 / 13.5 × $0.038864 × 30.4375 = $87,624; power $29,220; lease 1.5M / 12 = $125,000;
  // site lease × 50 = $6.25M; hashprice to match (125,000 + 29,220) × 13.5 / 30,437.5 = $68.40.
  const figures = ['$87,624', '$29,220', '$125,000', '$6.25M', '$68.40/PH/day', 'Antminer S21 XP (13.5 J/TH) at $0.04/kWh'];

  it('Telegram, with positional options and a lease in millions', async () => {
    telegram.sendUserMessage({ chatId: 302, text: '/site 50 0.04 s21xp lease=1.5M' });
    const m = await telegram.waitForSent((s) => s.chat_id === 302);
    for (const f of figures) expect(m.plain).toContain(f);
    expect(m.text?.length).toBeLessThanOrEqual(4096);
  });

  it('Discord, with typed options', async () => {
    const id = discord.sendCommand({
      name: 'site',
      options: { mw: 50, power: 0.04, model: 's21xp', lease: 1_500_000 },
      guildId: discord.guildId,
    });
    const { text } = await discordAnswer(id);
    for (const f of figures) expect(text).toContain(f);
  });
});
