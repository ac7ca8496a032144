/**
 * /alert and /digest on Discord over real sockets: the real discord.js client against the local
 * Discord stand-in. Replies about personal alerts are ephemeral, alerts arrive by DM, and only
 * members with Manage Server / Manage Channels can schedule a channel digest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import alert from '../../../commands/alert.ts';
import digest from '../../../commands/digest.ts';
import { loadConfig } from '../../../src/config.ts';
import type { Command, CommandContext } from '../../../src/core/command.ts';
import type { Headline } from '../../../src/core/headline.ts';
import { startDiscord, type DiscordHandle } from '../../../src/adapters/discord/index.ts';
import { silentLogger } from '../../../src/logger.ts';
import { startBackground, type Background } from '../../../src/background.ts';
import type { Market } from '../../../src/core/market.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { EPHEMERAL, startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../../fakes/discord.ts';
import { headline } from '../../alerts/headline.ts';

const MANAGE_CHANNELS = String(1 << 4);
const carol = { id: '200000000000000001', username: 'carol' };
const clock = { t: Date.UTC(2025, 6, 1, 8) };
let current: Headline = headline({ priceUsd: 80_000 });
const market = {} as Market;
let discord: FakeDiscord;
let bot: DiscordHandle;
let store: Store;
let runtime: Background;

const isAnswer = (r: RecordedRequest) =>
  (r.path.endsWith('/callback') && [4, 7, 8].includes(r.body?.type)) ||
  r.method === 'PATCH' ||
  (r.method === 'POST' && r.path.startsWith('/webhooks/'));

async function run({ command, ...options }: Record<string, string>, over: { memberPermissions?: string } = {}): Promise<any> {
  const id = discord.sendCommand({
    name: command!,
    options,
    guildId: discord.guildId,
    channelId: discord.guildChannelId,
    user: carol,
    ...over,
  });
  const request = await discord.waitForRequest((r) => r.interactionId === id && isAnswer(r) && r.status !== undefined && r.status < 300);
  return request.path.endsWith('/callback') ? request.body.data : request.body;
}

beforeAll(async () => {
  discord = await startFakeDiscord();
  const config = loadConfig({
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_GUILD_ID: discord.guildId,
    LOG_LEVEL: 'silent',
  });
  bot = await startDiscord({
    config,
    logger: silentLogger,
    commands: [alert, digest] as unknown as Command[],
    makeContext: ({ user, chat }): CommandContext => ({
      market,
      now: () => clock.t,
      platform: 'discord',
      version: 'test',
      user,
      chat,
      services: runtime.services,
    }),
  });
  store = openStore(':memory:');
  runtime = await startBackground({
    config: { MAX_ALERTS_PER_USER: 25, DIGEST_DEFAULT_TIME: '14:00', POLL_INTERVAL_SEC: 60 },
    logger: silentLogger,
    store,
    market,
    senders: [bot.sender],
    loadHeadline: async () => ({ headline: current }),
    buildDigest: async () => ({ title: 'Daily mining digest', sections: [], footer: ['test'], tone: 'neutral' }),
    now: () => clock.t,
    timers: false,
  });
  await runtime.evaluate(current);
});

afterAll(async () => {
  await runtime?.stop();
  await store?.close();
  await bot?.stop();
  await discord?.close();
});

const text = (message: any) => JSON.stringify(message.embeds ?? message.content);

describe('alerts on Discord', () => {
  it('answers /alert privately (ephemeral) and delivers the alert by DM', async () => {
    const added = await run({ command: 'alert', action: 'add', subject: 'price', condition: 'above', value: '90k' });
    expect(added.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(text(added)).toContain('Alert #1 added');
    const listed = await run({ command: 'alert', action: 'list' });
    expect(listed.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(text(listed)).toContain('#1: BTC price (USD) above $90,000');

    current = headline({ priceUsd: 91_000 });
    await runtime.evaluate(current);
    const dm = await discord.waitForRequest((r) => r.method === 'POST' && r.path === '/users/@me/channels' && r.status !== undefined);
    expect(dm.body).toEqual({ recipient_id: carol.id });
    const posted = await discord.waitForRequest(
      (r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path) && r.status === 200,
    );
    expect(JSON.stringify(posted.body)).toContain('Alert #1: BTC price (USD) above $90,000');
    expect(posted.body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('channel digests on Discord', () => {
  it('refuses a member without Manage Server / Manage Channels, and schedules for one with it', async () => {
    const denied = await run({ command: 'digest', action: 'subscribe', time: '09:00', timezone: 'America/New_York' });
    expect(text(denied)).toContain('Only members with Manage Server or Manage Channels can schedule the digest');
    expect(await store.schedules.active()).toEqual([]);
    const ok = await run(
      { command: 'digest', action: 'subscribe', time: '09:00', timezone: 'America/New_York' },
      { memberPermissions: MANAGE_CHANNELS },
    );
    // Discord markdown: the renderer escapes the underscore.
    expect(ok.embeds[0].description).toContain('every day at 09:00 (America/New\\_York), starting today');
    expect(await store.schedules.get('discord', discord.guildChannelId)).toMatchObject({ kind: 'channel', time: '09:00' });
    clock.t = Date.UTC(2025, 6, 1, 13, 0); // 09:00 in New York (EDT)
    expect(await runtime.tickDigests()).toBe(1);
    const posted = await discord.waitForRequest(
      (r) => r.method === 'POST' && r.path === `/channels/${discord.guildChannelId}/messages` && r.status === 200,
    );
    expect(JSON.stringify(posted.body)).toContain('Daily mining digest');
  });
});
