/**
 * /settings (issue 15 #1): stored per user and per chat, applied to every money and time figure, on the
 * terminal, on Telegram (real telegraf against the stand-in) and on Discord (real discord.js against
 * the stand-in), with the same numbers. The context is built as main builds it, without prefs: runCommand
 * reads them from the store for the asker and the chat, once per command.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { CommandContext, Platform } from '../../src/core/command.ts';
import { resolvePrefs } from '../../src/core/prefs.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { createMarket } from '../../src/sources/index.ts';
import type { Market } from '../../src/core/market.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { startDiscord, type DiscordHandle } from '../../src/adapters/discord/index.ts';
import { startTelegram, type TelegramBot } from '../../src/adapters/telegram/index.ts';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram.ts';
import { EXPECTED, TIP_TIME_SEC } from '../fakes/world.ts';

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
/** The recorded mempool /api/v1/prices body the fake serves (its USD is the world's price, so EUR is as recorded). */
const RECORDED = JSON.parse(readFileSync(new URL('../fixtures/mempool/2024-03-31/v1-prices.json', import.meta.url), 'utf8')) as Record<
  string,
  number
>;
const EUR_PER_BTC = RECORDED.EUR!; // 64,823

// Hand-checked, EUR straight from BTC (no cross rate): 0.00055615322 BTC/PH/day × €64,823 = €36.0515/PH/day;
// per TH/day €0.0361. /profit with the stored 17.5 J/TH at €0.05/kWh: cost 17.5 × 24 / 1000 × 0.05 = €0.0210/TH/day,
// margin 0.0360515 − 0.021 = €0.0151; breakeven hashprice 17.5 × 24 × 0.05 = €21.00/PH/day; a fleet of 2,000 TH/s
// earns 2,000 × 0.0360515 = €72.10 a day for €42.00 of power.
const EUR_PH_DAY = EXPECTED.hashpriceBtcPerPhDay * EUR_PER_BTC;
const HASHPRICE_FIGURES = [
  'EUR per PH/day',
  '€36.05',
  '€0.0361',
  'Amounts in EUR at 1 BTC = €64,823 (mempool (127.0.0.1), fetched just now), the same quote as the USD price.',
];
const PROFIT_FIGURES = ['17.5 J/TH at €0.05/kWh earns €0.0151 per TH/s per day', '€0.0210', '€21.00/PH/day', '€72.10 / €42.00'];
// The retarget ETA is 2025-04-06 00:47 UTC; Berlin is on summer time (UTC+2) by then.
const ETA_BERLIN = '2025-04-06 02:47 Europe/Berlin';
const SET = { currency: 'eur', zone: 'Europe/Berlin', power: '0.05', efficiency: '17.5' };

let mempool: FakeMempool;
let market: Market;
let store: Store;

/** As main builds it: the asker's and the chat's settings are left to runCommand, which reads them per command. */
function contextFor(platform: Platform, services: CommandContext['services'] = { settings: store.settings }) {
  return (who: Pick<CommandContext, 'user' | 'chat'> = {}): CommandContext => ({
    market,
    now: () => NOW,
    platform,
    version: 'test',
    services,
    ...who,
  });
}

const consoleUser = {
  user: { platform: 'console' as const, id: 'local', name: 'terminal' },
  chat: { id: 'local', kind: 'private' as const, isAdmin: async () => true },
};
const terminal = async (name: string, raw: Record<string, string> = {}) =>
  runCommand(commands, name, raw, contextFor('console')(consoleUser), silentLogger);
const text = async (name: string, raw: Record<string, string> = {}) => renderText(await terminal(name, raw));

beforeAll(async () => {
  mempool = await startFakeMempool();
  market = createMarket({ config: loadConfig({ ...mempool.env }), logger: silentLogger, now: () => NOW });
});
afterAll(async () => {
  await mempool?.close();
});

describe('precedence (pure): user setting > chat setting > default, field by field', () => {
  it('takes each field from the nearest place that sets it', () => {
    const p = resolvePrefs({ currency: 'EUR' }, { currency: 'CHF', zone: 'Asia/Tokyo', efficiencyJPerTh: 21.5 });
    expect(p).toMatchObject({ currency: 'EUR', zone: 'Asia/Tokyo', efficiencyJPerTh: 21.5 });
    expect(p.origin).toEqual({ currency: 'user', zone: 'chat', power: 'default', efficiencyJPerTh: 'chat' });
    expect(resolvePrefs()).toMatchObject({ currency: 'USD', zone: 'UTC', origin: { currency: 'default', zone: 'default' } });
  });
});

describe('/settings on the terminal', () => {
  beforeEach(() => {
    store = openStore(':memory:');
  });

  it('shows the defaults, saves all four in one command and shows them back', async () => {
    const before = await text('settings');
    expect(before).toContain('USD (default)');
    expect(before).toContain('UTC (default), now 2025-04-01 21:07 UTC');
    const saved = await terminal('settings', SET);
    const out = renderText(saved);
    expect(saved.tone).not.toBe('error');
    for (const f of [
      'Your settings: currency EUR, time zone Europe/Berlin, power €0.05/kWh, efficiency 17.5 J/TH.',
      'EUR (yours)',
      'Europe/Berlin (yours), now 2025-04-01 23:07 Europe/Berlin',
      '€0.05/kWh (yours)',
      '17.5 J/TH (yours)',
    ]) {
      expect(out).toContain(f);
    }
    expect(await text('settings')).toContain('EUR (yours)');
  });

  it('hashprice in EUR is the BTC figure × the EUR price of the same quote, with the rate, its source and age', async () => {
    await terminal('settings', SET);
    const reply = await terminal('hashprice');
    expect(reply.data?.currency).toBe('EUR');
    expect(reply.data?.perPhDay).toBeCloseTo(EUR_PH_DAY, 10);
    expect(EUR_PH_DAY).toBeCloseTo(36.0515, 4);
    const out = renderText(reply);
    for (const f of HASHPRICE_FIGURES) expect(out).toContain(f);
    expect(out).not.toContain('USD per PH/day');
    // The hashprice after the next adjustment too: $38.86 × 1/1.0591 × 64,823/69,880 = €34.04.
    expect(out).toMatch(/After the adjustment in ~4\.2 days, est\. \+5\.9 %: €34\.04\/PH\/day/);
    // Changes and the 30-day range come from USD history; converting them at today's rate would be false.
    expect(out).toContain('30-day low / high (USD)');
  });

  it('every time shown uses the zone; /profit takes the stored power price and efficiency', async () => {
    await terminal('settings', SET);
    const difficulty = await text('difficulty');
    expect(difficulty).toContain(ETA_BERLIN);
    expect(difficulty).not.toContain(' UTC');
    const profit = await terminal('profit', { hashrate: '2000' });
    const out = renderText(profit);
    for (const f of PROFIT_FIGURES) expect(out).toContain(f);
    expect(out).toContain('Efficiency from your /settings.');
    // The chart's newest point, 2025-04-01 20:40 UTC (27 min before NOW), in Berlin summer time (UTC+2).
    expect(await text('chart', { metric: 'hashprice' })).toContain('Newest point 2025-04-01 22:40 Europe/Berlin');
    expect((profit.data?.powerCostPerThDay as number) * (profit.data?.perUsd as number)).toBeCloseTo(((17.5 * 24) / 1000) * 0.05, 12);
  });

  it('what-if options win: price= answers in USD and says so; model and power= beat the stored defaults', async () => {
    await terminal('settings', SET);
    const whatIf = await text('hashprice', { price: '60000' });
    expect(whatIf).toContain('price= is in USD, so this what-if answers in USD (your currency is EUR).');
    expect(whatIf).toContain('USD per PH/day   $33.37');
    // S19j Pro 29.5 J/TH at €0.06: cost 29.5 × 24 / 1000 × 0.06 = €0.0425/TH/day; breakeven 29.5 × 24 × 0.06 = €42.48/PH/day.
    const profit = await text('profit', { model: 's19jpro', power: '0.06' });
    expect(profit).toContain('Antminer S19j Pro (29.5 J/TH) at €0.06/kWh loses €0.0064');
    expect(profit).toContain('€0.0425');
    expect(profit).toContain('€42.48/PH/day');
    expect(profit).not.toContain('from your /settings');
  });

  it('a power price stored in one currency is converted through the same quote when the reply is in another', async () => {
    await terminal('settings', { currency: 'eur', power: '0.05', efficiency: '17.5' });
    await terminal('settings', { currency: 'usd' });
    // €0.05 × (69,880 / 64,823) = $0.0539/kWh; cost 17.5 × 24 / 1000 × 0.0539 = $0.0226/TH/day.
    const out = await text('profit');
    expect(out).toContain('at $0.0539/kWh');
    expect(out).toContain('$0.0226');
  });

  it('reset brings the defaults back', async () => {
    await terminal('settings', SET);
    const reset = await text('settings', { action: 'reset' });
    expect(reset).toContain('Your settings are cleared');
    expect(reset).toContain('USD (default)');
    expect(await text('hashprice')).toContain('USD per PH/day     $38.86');
    expect(await text('settings', { action: 'reset' })).toContain('were already the defaults');
  });

  it('bad values say what is accepted and store nothing', async () => {
    const currency = await terminal('settings', { currency: 'xyz' });
    expect(currency.tone).toBe('error');
    expect(renderText(currency)).toContain('`currency` must be one of: USD, EUR, GBP, CAD, CHF, AUD, JPY (got "xyz")');
    const zone = await terminal('settings', { zone: 'Mars/Olympus', currency: 'eur' });
    expect(zone.tone).toBe('error');
    expect(renderText(zone)).toContain('"Mars/Olympus" is not a time zone I know. Use an IANA name such as Europe/Berlin');
    const power = await terminal('settings', { power: '5' });
    expect(renderText(power)).toContain('`power` must be from 0 to 2 USD per kWh');
    expect(await text('settings')).toContain('USD (default)');
    expect(renderText(await terminal('settings', { action: 'reset', currency: 'eur' }))).toContain('`reset` goes alone');
  });

  it('asks at the same moment with different settings each get their own currency (shared runs keyed by settings)', async () => {
    const ctx = (currency: 'EUR' | 'GBP' | 'USD') => ({ ...contextFor('console')(consoleUser), prefs: resolvePrefs({ currency }) });
    const [eur, gbp, usd] = await Promise.all([
      runCommand(commands, 'hashprice', {}, ctx('EUR'), silentLogger),
      runCommand(commands, 'hashprice', {}, ctx('GBP'), silentLogger),
      runCommand(commands, 'hashprice', {}, ctx('USD'), silentLogger),
    ]);
    // 0.00055615322 BTC/PH/day × €64,823 / £55,198 / $69,880.
    expect(renderText(eur)).toContain('€36.05');
    expect(renderText(gbp)).toContain('£30.70');
    expect(renderText(usd)).toContain('$38.86');
  });

  it('JPY amounts are whole yen', async () => {
    await terminal('settings', { currency: 'jpy' });
    // 0.00055615322 × ¥10,601,000 = ¥5,895.8/PH/day; ¥5.9 per TH/day reads ¥6.
    const out = await text('hashprice');
    expect(out).toContain('¥5,896');
    expect(out).toContain('JPY per TH/day           ¥6');
  });

  it('a one-shot shell command has no store: it answers in USD and UTC, and /settings says where settings live', async () => {
    const ctx = contextFor('cli', {})({});
    const reply = await runCommand(commands, 'settings', SET, ctx, silentLogger);
    expect(reply.tone).toBe('error');
    expect(renderText(reply)).toContain('Settings are kept by the running bot');
    expect(renderText(await runCommand(commands, 'hashprice', {}, ctx, silentLogger))).toContain('$38.86');
  });
});

describe('/settings on Telegram and Discord (real clients against the stand-ins)', () => {
  let telegram: FakeTelegram;
  let telegramBot: TelegramBot;
  let discord: FakeDiscord;
  let discordBot: DiscordHandle;
  const GROUP = -100_777;
  const ADMIN = 71;
  const MEMBER = 72;

  beforeAll(async () => {
    store = openStore(':memory:');
    [telegram, discord] = await Promise.all([startFakeTelegram(), startFakeDiscord()]);
    telegram.setAdmins(GROUP, [ADMIN]);
    const tgConfig = loadConfig({ TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot, LOG_LEVEL: 'silent' });
    telegramBot = await startTelegram({ config: tgConfig, logger: silentLogger, commands, makeContext: contextFor('telegram') });
    const dcConfig = loadConfig({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_GUILD_ID: discord.guildId,
      ...mempool.env,
    });
    discordBot = await startDiscord({ config: dcConfig, logger: silentLogger, commands, makeContext: contextFor('discord') });
    // Warm the market cache so Discord answers at once rather than deferring.
    await runCommand(commands, 'profit', { model: 's21' }, contextFor('discord')({}), silentLogger);
  });
  afterAll(async () => {
    await telegramBot?.stop();
    await discordBot?.stop();
    await Promise.all([telegram?.close(), discord?.close()]);
    await store?.close();
  });

  async function ask(chatId: number, body: string, fromId = chatId, chatType: 'private' | 'group' = 'private') {
    const before = telegram.sent.length;
    telegram.sendUserMessage({ chatId, text: body, fromId, chatType });
    return telegram.waitForSent((m) => m.chat_id === chatId && telegram.sent.indexOf(m) >= before);
  }

  async function discordAsk(
    name: string,
    options: Record<string, string | number> = {},
    user = { id: '5001', username: 'miner' },
    memberPermissions?: string,
  ) {
    const id = discord.sendCommand({
      name,
      options,
      guildId: discord.guildId,
      user: { ...user, discriminator: '0', avatar: null } as any,
      ...(memberPermissions ? { memberPermissions } : {}),
    });
    const request = await discord.waitForRequest(
      (r) =>
        r.interactionId === id &&
        ((r.path.endsWith('/callback') && r.body?.type === 4) || r.method === 'PATCH') &&
        r.status !== undefined &&
        r.status < 300,
    );
    const message = request.path.endsWith('/callback') ? request.body.data : request.body;
    const e = message.embeds[0];
    return {
      message,
      text: [e.title, e.description, ...(e.fields ?? []).flatMap((f: any) => [f.name, f.value]), e.footer?.text].join('\n'),
    };
  }

  it('Telegram: settings saved and shown back, then hashprice, profit and a time in them', async () => {
    const saved = await ask(401, '/settings currency=eur zone=Europe/Berlin power=0.05 efficiency=17.5');
    expect(saved.plain).toContain('Settings saved');
    expect(saved.plain).toContain('Europe/Berlin (yours), now 2025-04-01 23:07 Europe/Berlin');
    const hp = await ask(401, '/hashprice');
    for (const f of HASHPRICE_FIGURES) expect(hp.plain).toContain(f);
    const profit = await ask(401, '/profit hashrate=2000');
    for (const f of PROFIT_FIGURES) expect(profit.plain).toContain(f);
    expect((await ask(401, '/difficulty')).plain).toContain(ETA_BERLIN);
    const bad = await ask(401, '/settings zone=Mars/Olympus');
    expect(bad.plain).toContain('"Mars/Olympus" is not a time zone I know');
  });

  it('Telegram group: only admins set the chat; members get it unless they set their own', async () => {
    const refused = await ask(GROUP, '/settings scope=chat currency=chf', MEMBER, 'group');
    expect(refused.plain).toContain("Only this chat's admins can change its settings");
    const set = await ask(GROUP, '/settings scope=chat currency=chf', ADMIN, 'group');
    expect(set.plain).toContain("This chat's settings: currency CHF.");
    // 0.00055615322 × CHF 63,041 = CHF 35.06/PH/day.
    expect((await ask(GROUP, '/hashprice', MEMBER, 'group')).plain).toContain('CHF 35.06');
    await ask(GROUP, '/settings currency=gbp', MEMBER, 'group');
    // 0.00055615322 × £55,198 = £30.70/PH/day: the member's own setting beats the chat's.
    expect((await ask(GROUP, '/hashprice', MEMBER, 'group')).plain).toContain('£30.70');
    expect((await ask(GROUP, '/settings reset', MEMBER, 'group')).plain).toContain("CHF (this chat's)");
  });

  it('Discord: the same settings give the same figures, answered to the asker only', async () => {
    const saved = await discordAsk('settings', { currency: 'EUR', zone: 'Europe/Berlin', power: 0.05, efficiency: 17.5 });
    expect(saved.text).toContain('Settings saved');
    expect(saved.message.flags & 64).toBe(64);
    const hp = await discordAsk('hashprice');
    for (const f of HASHPRICE_FIGURES) expect(hp.text).toContain(f);
    const profit = await discordAsk('profit', { hashrate: 2000 });
    for (const f of PROFIT_FIGURES) expect(profit.text).toContain(f);
    expect((await discordAsk('difficulty')).text).toContain(ETA_BERLIN);
    const bad = await discordAsk('settings', { zone: 'Mars/Olympus' });
    expect(bad.text).toContain('"Mars/Olympus" is not a time zone I know');
  });

  it('Discord: a member without Manage Server/Channels cannot set the channel; one with it can', async () => {
    const member = { id: '5002', username: 'member' };
    const refused = await discordAsk('settings', { scope: 'chat', currency: 'AUD' }, member);
    expect(refused.text).toContain("Only this chat's admins can change its settings");
    const manageChannels = String(1 << 4);
    const set = await discordAsk('settings', { scope: 'chat', currency: 'AUD' }, member, manageChannels);
    expect(set.text).toContain("This chat's settings: currency AUD.");
    // 0.00055615322 × A$107,374 = A$59.72/PH/day, for anyone in the channel without their own currency.
    expect((await discordAsk('hashprice', {}, { id: '5003', username: 'other' })).text).toContain('A$59.72');
  });
});

describe('settings in the store', () => {
  it('survive a restart, leave with their user, and a chat keeps its own', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const path = join(mkdtempSync(join(tmpdir(), 'hashwatch-settings-')), 'db.sqlite');
    let s = openStore(path);
    await s.settings.set(
      'user',
      { platform: 'telegram', id: '9', name: 'nine' },
      { currency: 'EUR', power: { perKwh: 0.05, currency: 'EUR' } },
      NOW,
    );
    await s.settings.set('user', { platform: 'telegram', id: '9' }, { zone: 'Asia/Tokyo' }, NOW);
    await s.settings.set('chat', { platform: 'telegram', id: '-5' }, { currency: 'CHF' }, NOW);
    await s.close();
    s = openStore(path);
    expect(await s.settings.get('user', 'telegram', '9')).toEqual({
      currency: 'EUR',
      zone: 'Asia/Tokyo',
      power: { perKwh: 0.05, currency: 'EUR' },
    });
    expect(await s.settings.prefsFor('telegram', '9', '-5')).toMatchObject({ currency: 'EUR', zone: 'Asia/Tokyo' });
    expect(await s.settings.prefsFor('telegram', '10', '-5')).toMatchObject({ currency: 'CHF', zone: 'UTC' });
    // Deleting the user (what /forget does) takes their settings along; the chat's stay.
    const raw = (await import('better-sqlite3')).default(path);
    raw.pragma('foreign_keys = ON');
    raw.prepare("DELETE FROM users WHERE platform = 'telegram' AND external_id = '9'").run();
    raw.close();
    expect(await s.settings.get('user', 'telegram', '9')).toEqual({});
    expect(await s.settings.get('chat', 'telegram', '-5')).toEqual({ currency: 'CHF' });
    // A group that became a supergroup keeps its settings under the new id.
    expect(await s.settings.migrateChat('telegram', '-5', '-1005')).toBe(1);
    expect(await s.settings.get('chat', 'telegram', '-1005')).toEqual({ currency: 'CHF' });
    expect(await s.settings.get('chat', 'telegram', '-5')).toEqual({});
    await s.close();
  });

  it('a database from before settings (schema 3) upgrades in place, its users kept', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { MIGRATIONS } = await import('../../src/store/migrations.ts');
    const path = join(mkdtempSync(join(tmpdir(), 'hashwatch-settings-')), 'db.sqlite');
    const raw = (await import('better-sqlite3')).default(path);
    for (const sql of MIGRATIONS.slice(0, 3)) raw.exec(sql);
    raw.pragma('user_version = 3');
    raw.prepare("INSERT INTO users (platform, external_id, name, created_ms) VALUES ('discord', '42', 'old', 1)").run();
    raw.close();
    const s = openStore(path);
    const before = (await s.users.find('discord', '42'))!.id;
    await s.settings.set('user', { platform: 'discord', id: '42' }, { currency: 'GBP' }, NOW);
    expect(await s.users.find('discord', '42')).toMatchObject({ id: before, name: 'old' });
    expect(await s.settings.prefsFor('discord', '42', undefined)).toMatchObject({ currency: 'GBP', zone: 'UTC' });
    await s.close();
  });
});
