/**
 * The Discord adapter end to end: a real, unmodified discord.js client logs into the local Discord
 * stand-in, answers interactions with numbers from the real market reading the fake mempool.
 */
// Production order: main loads the market (undici 7) before the Discord adapter, which once broke
// discord.js file uploads; keep undici first so these tests would catch it again.
import 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { loadConfig, type Config } from '../../../src/config.ts';
import { defineCommand, type Command, type CommandContext } from '../../../src/core/command.ts';
import { runCommand } from '../../../src/core/run.ts';
import { createLogger, silentLogger } from '../../../src/logger.ts';
import { createMarket } from '../../../src/sources/index.ts';
import type { Market } from '../../../src/core/market.ts';
import { buildSlashCommands, registerCommands, startDiscord, type DiscordHandle } from '../../../src/adapters/discord/index.ts';
import { normaliseCommandSet } from '../../../src/adapters/discord/slash.ts';
import { EPHEMERAL, startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../../fakes/discord.ts';
import { startFakeMempool, type FakeMempool } from '../../fakes/mempool.ts';
import { TIP_TIME_SEC } from '../../fakes/world.ts';

const NOW = TIP_TIME_SEC * 1000 + 10 * 60_000;
const MANAGE_CHANNELS = String(1 << 4);
const DEFER_AFTER_MS = 200;

/** An admin-only command that reports what the adapter told it about the asker. */
const channelSettings = defineCommand({
  name: 'channelsettings',
  description: 'Test probe: admin-only channel settings',
  options: {},
  adminOnly: true,
  examples: ['/channelsettings'],
  async run(ctx) {
    return {
      title: 'Channel settings',
      lines: [`admin=${await ctx.chat!.isAdmin()} kind=${ctx.chat!.kind} user=${ctx.user!.id}`],
      sections: [],
      footer: ['probe'],
      tone: 'neutral',
    };
  },
}) as unknown as Command;

const boom = defineCommand({
  name: 'boom',
  description: 'Test probe: a command that throws',
  options: {},
  examples: ['/boom'],
  async run() {
    throw new Error('kaboom: secret internal detail');
  },
}) as unknown as Command;

/** A reply with a chart and a button to the other chart, like the chart commands. */
const chartProbe = defineCommand({
  name: 'chartprobe',
  description: 'Test probe: a chart with a button',
  options: { n: { kind: 'choice', choices: ['1', '2'], example: '1', description: 'Which chart' } },
  examples: ['/chartprobe'],
  async run(_ctx, args) {
    const n = args.n ?? '1';
    return {
      title: `Chart ${n}`,
      sections: [],
      footer: ['probe'],
      tone: 'neutral',
      chart: { png: Buffer.from(`PNG-${n}`), filename: `chart-${n}.png`, alt: `Chart number ${n}` },
      buttons: [{ label: `Chart ${n === '1' ? '2' : '1'}`, command: 'chartprobe', args: { n: n === '1' ? '2' : '1' } }],
    };
  },
}) as unknown as Command;

/** A slow personal command (like /alert): even its "thinking…" placeholder must be private. */
let releaseSecret: () => void = () => undefined;
const slowSecret = defineCommand({
  name: 'slowsecret',
  description: 'Test probe: a slow personal command',
  options: {},
  personal: true,
  examples: ['/slowsecret'],
  async run() {
    await new Promise<void>((resolve) => (releaseSecret = resolve));
    return { title: 'Your rules', sections: [], footer: ['probe'], tone: 'neutral', ephemeral: true };
  },
}) as unknown as Command;

const testCommands: Command[] = [...commands, channelSettings, boom, chartProbe, slowSecret];

let discord: FakeDiscord;
let mempool: FakeMempool;
let config: Config;
let market: Market;
let bot: DiscordHandle;
const logs: string[] = [];
const logger = createLogger(
  { level: 'debug', secrets: ['fake-bot-token.discord.test'] },
  { write: (line: string) => void logs.push(line) },
);

const makeContext = (who: Pick<CommandContext, 'user' | 'chat'>): CommandContext => ({
  market,
  now: () => NOW,
  platform: 'discord',
  version: 'test',
  services: {},
  ...who,
});

const freshMarket = () => createMarket({ config, logger: silentLogger, now: () => NOW });

/** Runs a command once outside Discord so the market cache holds its data (answers in well under 200 ms). */
const warm = (name: string, raw: Record<string, unknown> = {}) => runCommand(testCommands, name, raw, makeContext({}));

const isAnswer = (r: RecordedRequest) =>
  (r.path.endsWith('/callback') && [4, 7, 8].includes(r.body?.type)) ||
  r.method === 'PATCH' ||
  (r.method === 'POST' && r.path.startsWith('/webhooks/'));

/** The request that carried the interaction's answer, and the message payload in it. */
async function answerTo(id: string): Promise<{ request: RecordedRequest; message: any }> {
  const request = await discord.waitForRequest((r) => r.interactionId === id && isAnswer(r) && r.status !== undefined && r.status < 300);
  return { request, message: request.path.endsWith('/callback') ? request.body.data : request.body };
}

const fieldValues = (message: any): string[] => message.embeds[0].fields.map((f: any) => f.value);

beforeAll(async () => {
  [discord, mempool] = await Promise.all([startFakeDiscord(), startFakeMempool()]);
  config = loadConfig({
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GUILD_ID: discord.guildId,
    ...mempool.env,
  });
  market = freshMarket();
  bot = await startDiscord({ config, logger, commands: testCommands, makeContext, deferAfterMs: DEFER_AFTER_MS });
  await discord.waitForRequest((r) => r.method === 'PUT' && r.path.endsWith('/commands') && r.status === 200);
});

afterAll(async () => {
  await bot?.stop();
  await Promise.all([discord?.close(), mempool?.close()]);
});

describe('registration', () => {
  it('registers the generated set to DISCORD_GUILD_ID at start-up, using the application id from READY', () => {
    const puts = discord.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.path)).toEqual([`/applications/${discord.appId}/guilds/${discord.guildId}/commands`]);
    // Guild scope: contexts and integration_types apply to global commands only, so they are left out.
    expect(puts[0]!.body).toEqual(buildSlashCommands(testCommands, 'guild'));
    expect(discord.requests.some((r) => r.path === '/applications/@me')).toBe(false);
  });

  it('skips the PUT when the registered set is unchanged', async () => {
    const result = await registerCommands({ config, logger: silentLogger, commands: testCommands });
    expect(result).toEqual({ scope: 'guild', count: testCommands.length, changed: false });
    expect(discord.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('registers globally without DISCORD_GUILD_ID, and again only when the set changed', async () => {
    const global = { ...config, DISCORD_GUILD_ID: undefined };
    expect(await registerCommands({ config: global, logger: silentLogger, commands })).toEqual({
      scope: 'global',
      count: commands.length,
      changed: true,
    });
    expect(normaliseCommandSet(discord.registered.get('global')!)).toBe(normaliseCommandSet(buildSlashCommands(commands)));
    expect(await registerCommands({ config: global, logger: silentLogger, commands })).toMatchObject({ changed: false });
    expect(await registerCommands({ config: global, logger: silentLogger, commands: commands.slice(1) })).toMatchObject({
      changed: true,
      count: commands.length - 1,
    });
    expect(discord.requests.filter((r) => r.method === 'PUT' && r.path === `/applications/${discord.appId}/commands`)).toHaveLength(2);
  });
});

describe('slash commands', () => {
  it('/hashprice in a server answers at once with an embed showing $38.86 per PH/day and its source', async () => {
    await warm('hashprice');
    const id = discord.sendCommand({ name: 'hashprice', guildId: discord.guildId });
    const { request, message } = await answerTo(id);
    expect(request.body.type).toBe(4);
    expect(message.flags ?? 0).toBe(0);
    expect(message.embeds[0].title).toBe('Hashprice');
    expect(fieldValues(message)).toContain('$38.86');
    expect(message.embeds[0].footer.text).toMatch(/Block 890,447 · mined 10 min ago[\s\S]*mempool \(127\.0\.0\.1\)/);
    expect(message.allowed_mentions).toEqual({ parse: [] });
  });

  it('/hashprice in a DM with the bot gives the same number', async () => {
    const id = discord.sendCommand({ name: 'hashprice', options: {} });
    const { message } = await answerTo(id);
    expect(fieldValues(message)).toContain('$38.86');
  });

  it('what-if options arrive typed from Discord and are used', async () => {
    const id = discord.sendCommand({ name: 'hashprice', options: { price: 100000 }, guildId: discord.guildId });
    const { message } = await answerTo(id);
    expect(message.embeds[0].title).toBe('Hashprice (what-if)');
    // 0.00055615 BTC/PH/day × $100,000.
    expect(fieldValues(message)).toContain('$55.62');
  });

  it('a slow upstream gets a deferred reply (type 5) and then an edit of @original', async () => {
    market = freshMarket();
    mempool.setDelay('', 2 * DEFER_AFTER_MS);
    try {
      const id = discord.sendCommand({ name: 'hashprice', guildId: discord.guildId });
      const { request, message } = await answerTo(id);
      const steps = discord
        .requestsFor(id)
        .map((r) => `${r.method} ${r.path.endsWith('/callback') ? `callback ${r.body.type}` : r.path.split('/').slice(-1)[0]}`);
      expect(steps).toEqual(['POST callback 5', 'PATCH @original']);
      expect(request.status).toBe(200);
      expect(fieldValues(message)).toContain('$38.86');
      expect(message.allowed_mentions).toEqual({ parse: [] });
    } finally {
      mempool.setDelay('', 0);
    }
  });

  it('a slow personal command is deferred privately (flags 64) and its answer stays private', async () => {
    const id = discord.sendCommand({ name: 'slowsecret', guildId: discord.guildId });
    const deferred = await discord.waitForRequest((r) => r.interactionId === id && r.path.endsWith('/callback'));
    releaseSecret();
    const { request } = await answerTo(id);
    expect(deferred.body).toMatchObject({ type: 5, data: { flags: EPHEMERAL } });
    expect(request.method).toBe('PATCH');
    expect(discord.requestsFor(id).some((r) => r.method === 'DELETE')).toBe(false);
  });

  it('a button press re-runs the command and updates the message in place (type 7)', async () => {
    await Promise.all([warm('pools'), warm('pools', { window: '1m' })]);
    const id = discord.sendCommand({ name: 'pools', guildId: discord.guildId });
    const { message } = await answerTo(id);
    expect(message.embeds[0].title).toBe('Mining pools (1w)');
    const button = message.components.flatMap((row: any) => row.components).find((b: any) => b.label === '1m');
    const messageId = discord.originalMessageId(id)!;

    const press = discord.pressButton({ customId: button.custom_id, messageId, guildId: discord.guildId });
    const { request, message: updated } = await answerTo(press);
    expect(request.body.type).toBe(7);
    expect(updated.embeds[0].title).toBe('Mining pools (1m)');
    expect(updated.allowed_mentions).toEqual({ parse: [] });
    expect(discord.messages.get(messageId)!.embeds[0].title).toBe('Mining pools (1m)');
    expect(discord.messages.get(messageId)!.components.flatMap((r: any) => r.components.map((b: any) => b.label))).toEqual(['24h', '1w']);
  });

  it('a chart is uploaded with the reply and replaced when a button switches charts', async () => {
    const id = discord.sendCommand({ name: 'chartprobe', guildId: discord.guildId });
    const { request, message } = await answerTo(id);
    expect(request.files.map((f) => [f.filename, f.data.toString()])).toEqual([['chart-1.png', 'PNG-1']]);
    expect(message.embeds[0].image).toEqual({ url: 'attachment://chart-1.png' });
    expect(message.attachments).toEqual([expect.objectContaining({ id: '0', description: 'Chart number 1' })]);

    const messageId = discord.originalMessageId(id)!;
    const press = discord.pressButton({ customId: message.components[0].components[0].custom_id, messageId, guildId: discord.guildId });
    const { request: update } = await answerTo(press);
    expect(update.body.type).toBe(7);
    expect(update.files.map((f) => [f.filename, f.data.toString()])).toEqual([['chart-2.png', 'PNG-2']]);
    expect(discord.messages.get(messageId)!.attachments.map((a) => a.filename)).toEqual(['chart-2.png']);
    expect(discord.messages.get(messageId)!.embeds[0].image).toEqual({ url: 'attachment://chart-2.png' });
  });

  it('a button this bot did not make gets an ephemeral explanation and leaves the message alone', async () => {
    const id = discord.sendCommand({ name: 'pools', guildId: discord.guildId });
    await answerTo(id);
    const messageId = discord.originalMessageId(id)!;
    const stored = discord.messages.get(messageId)!;
    stored.components = [{ type: 1, components: [{ type: 2, style: 2, label: 'old', custom_id: 'v0:pools' }] }];
    const press = discord.pressButton({ customId: 'v0:pools', messageId, guildId: discord.guildId });
    const { request, message } = await answerTo(press);
    expect(request.body.type).toBe(4);
    expect(message.flags).toBe(EPHEMERAL);
    expect(message.embeds[0].title).toMatch(/no longer works/);
  });

  it('autocomplete suggests ASIC models matching what was typed (type 8, at most 25)', async () => {
    const id = discord.autocomplete({ name: 'profit', focused: 'model', value: 's19' });
    const { request } = await answerTo(id);
    expect(request.body.type).toBe(8);
    const choices = request.body.data.choices as { name: string; value: string }[];
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.length).toBeLessThanOrEqual(25);
    for (const c of choices) expect(c.value.toLowerCase()).toContain('s19');
  });
});

describe('errors', () => {
  it('a command error is an ephemeral reply (flags 64) saying what is wrong', async () => {
    const id = discord.sendCommand({ name: 'profit', guildId: discord.guildId });
    const { request, message } = await answerTo(id);
    expect(request.body.type).toBe(4);
    expect(message.flags).toBe(EPHEMERAL);
    expect(message.embeds[0].description).toMatch(/Give a model/);
  });

  it('a command that throws gives an ephemeral "failed" reply without internals, and the bot keeps going', async () => {
    const id = discord.sendCommand({ name: 'boom', guildId: discord.guildId });
    const { message } = await answerTo(id);
    expect(message.flags).toBe(EPHEMERAL);
    expect(message.embeds[0].title).toMatch(/\/boom failed/);
    expect(JSON.stringify(message)).not.toMatch(/kaboom/);
    const next = discord.sendCommand({ name: 'about', guildId: discord.guildId });
    expect((await answerTo(next)).request.body.type).toBe(4);
  });

  it('upstream down after deferring: the public placeholder is removed and the error goes to the asker alone', async () => {
    market = freshMarket();
    mempool.setFault('', { kind: '500' });
    mempool.setDelay('', 2 * DEFER_AFTER_MS);
    try {
      const id = discord.sendCommand({ name: 'fees', guildId: discord.guildId });
      const { request, message } = await answerTo(id);
      const steps = discord
        .requestsFor(id)
        .map((r) => `${r.method} ${r.path.endsWith('/callback') ? `callback ${r.body.type}` : r.path.split('/').slice(-1)[0]}`);
      expect(steps[0]).toBe('POST callback 5');
      expect(steps).toContain('DELETE @original');
      expect(request.method).toBe('POST');
      expect(message.flags).toBe(EPHEMERAL);
      expect(message.embeds[0].color).toBe(0xe67e22);
    } finally {
      mempool.clearFaults();
      mempool.setDelay('', 0);
      market = freshMarket();
    }
  });

  it('when Discord rejects the reply, the failure is logged and the user still gets an ephemeral message', async () => {
    discord.failRoute('POST', /\/callback$/, 400, { code: 50035, message: 'Invalid Form Body' });
    const id = discord.sendCommand({ name: 'about', guildId: discord.guildId });
    const { message } = await answerTo(id);
    expect(message.flags).toBe(EPHEMERAL);
    expect(message.embeds[0].title).toMatch(/Something went wrong/);
    expect(logs.some((l) => l.includes('discord interaction failed') && l.includes(id))).toBe(true);
  });

  it('`@everyone` typed as an argument is not a mention', async () => {
    const id = discord.sendCommand({ name: 'help', options: { command: '@everyone <@&1>' }, guildId: discord.guildId });
    const { message } = await answerTo(id);
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(JSON.stringify(message)).not.toMatch(/@everyone|<@&1>/);
    expect(message.embeds[0].description).toContain('@\u200beveryone');
  });
});

describe('admin-only commands', () => {
  it('are refused (ephemeral) to members without Manage Server / Manage Channels', async () => {
    const id = discord.sendCommand({ name: 'channelsettings', guildId: discord.guildId, memberPermissions: '0' });
    const { message } = await answerTo(id);
    expect(message.flags).toBe(EPHEMERAL);
    expect(message.embeds[0].description).toMatch(/Manage Server or Manage Channels/);
  });

  it('run for a member with Manage Channels, and in a DM (where everyone is admin)', async () => {
    const inGuild = discord.sendCommand({ name: 'channelsettings', guildId: discord.guildId, memberPermissions: MANAGE_CHANNELS });
    expect((await answerTo(inGuild)).message.embeds[0].description).toMatch(/^admin=true kind=group user=\d+$/);
    const inDm = discord.sendCommand({ name: 'channelsettings', user: { id: '4242424242', username: 'dm-user' } });
    expect((await answerTo(inDm)).message.embeds[0].description).toBe('admin=true kind=private user=4242424242');
  });
});

describe('sender (proactive posts for the outbox)', () => {
  const reply = {
    title: 'Daily digest',
    lines: ['@everyone hashprice fell'],
    sections: [],
    footer: ['mempool.space'],
    tone: 'down' as const,
    ephemeral: true,
    chart: { png: Buffer.from('PNGDATA'), filename: 'hp.png', alt: 'Hashprice' },
  };

  it('posts to a channel with the chart attached and no mentions', async () => {
    const result = await bot.sender.send({ platform: 'discord', kind: 'channel', chatId: discord.guildChannelId }, reply);
    expect(result).toEqual({ ok: true, messageIds: [expect.stringMatching(/^\d+$/)] });
    const post = discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${discord.guildChannelId}/messages`).at(-1)!;
    expect(post.body.allowed_mentions).toEqual({ parse: [] });
    expect(post.body.flags).toBeUndefined();
    expect(post.body.embeds[0].image).toEqual({ url: 'attachment://hp.png' });
    expect(post.files.map((f) => [f.filename, f.data.toString()])).toEqual([['hp.png', 'PNGDATA']]);
  });

  it('sends to a user by opening a DM channel first (once)', async () => {
    const user = { platform: 'discord' as const, kind: 'user' as const, chatId: '777000777' };
    expect((await bot.sender.send(user, reply)).ok).toBe(true);
    expect((await bot.sender.send(user, reply)).ok).toBe(true);
    const opens = discord.requests.filter((r) => r.path === '/users/@me/channels' && r.body.recipient_id === '777000777');
    expect(opens).toHaveLength(1);
  });

  it.each([
    ['50007 cannot send messages to this user', 403, { code: 50007, message: 'Cannot send messages to this user' }],
    ['10003 unknown channel', 404, { code: 10003, message: 'Unknown Channel' }],
    ['50001 missing access', 403, { code: 50001, message: 'Missing Access' }],
  ])('%s is permanent', async (_what, status, body) => {
    discord.failRoute('POST', /^\/channels\/\d+\/messages$/, status, body);
    const result = await bot.sender.send({ platform: 'discord', kind: 'channel', chatId: '123456789' }, reply);
    expect(result).toMatchObject({ ok: false, permanent: true, reason: expect.stringContaining(String(body.code)) });
  });

  it('a long 429 is surfaced as retryAfterMs; a 5xx is worth retrying later', async () => {
    discord.failRoute('POST', /^\/channels\/\d+\/messages$/, 429, {
      message: 'You are being rate limited.',
      retry_after: 30,
      global: false,
    });
    const limited = await bot.sender.send({ platform: 'discord', kind: 'channel', chatId: '5550001' }, reply);
    expect(limited).toMatchObject({ ok: false, permanent: false });
    expect(limited.ok === false && limited.retryAfterMs).toBeGreaterThanOrEqual(29_000);

    discord.failRoute('POST', /^\/channels\/\d+\/messages$/, 502, { message: 'Bad Gateway' }, 4);
    const down = await bot.sender.send({ platform: 'discord', kind: 'channel', chatId: '5550002' }, reply);
    expect(down).toMatchObject({ ok: false, permanent: false });
  });
});

describe('every payload', () => {
  it('carried allowed_mentions.parse = [] (no reply could mention anyone)', () => {
    const messages = discord.requests.flatMap((r) => {
      if (r.path.endsWith('/callback') && [4, 7].includes(r.body?.type)) return [r.body.data];
      if ((r.method === 'PATCH' || r.method === 'POST') && /^\/(webhooks|channels)\//.test(r.path)) return [r.body];
      return [];
    });
    expect(messages.length).toBeGreaterThan(15);
    for (const m of messages) expect(m.allowed_mentions).toEqual({ parse: [] });
  });

  it('no log line contains the bot token', () => {
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(line).not.toContain(discord.token);
  });
});
