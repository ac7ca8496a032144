/**
 * /forget and unreachable users on Discord: the real discord.js client against the local Discord
 * stand-in, with the real alert runtime, outbox worker and store. The question is ephemeral; its
 * button works only for the asker and turns the question into the result; a DM that fails with
 * 50007 pauses the owner's alerts until they next use the bot in a DM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import alert from '../../../commands/alert.ts';
import digest from '../../../commands/digest.ts';
import forget from '../../../commands/forget.ts';
import { loadConfig } from '../../../src/config.ts';
import type { Command, CommandContext } from '../../../src/core/command.ts';
import type { Headline } from '../../../src/core/headline.ts';
import { startDiscord, type DiscordHandle } from '../../../src/adapters/discord/index.ts';
import { silentLogger } from '../../../src/logger.ts';
import { startBackground, type Background } from '../../../src/background.ts';
import type { Market } from '../../../src/core/market.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { EPHEMERAL, startFakeDiscord, type FakeDiscord, type FakeUser, type RecordedRequest } from '../../fakes/discord.ts';
import { headline } from '../../alerts/headline.ts';

const carol: FakeUser = { id: '200000000000000001', username: 'carol' };
const dave: FakeUser = { id: '200000000000000002', username: 'dave' };
const clock = { t: Date.UTC(2025, 6, 1, 8) };
let current: Headline = headline({ priceUsd: 80_000 });
let discord: FakeDiscord;
let bot: DiscordHandle;
let store: Store;
let runtime: Background;

const isAnswer = (r: RecordedRequest) =>
  (r.path.endsWith('/callback') && [4, 7].includes(r.body?.type)) ||
  r.method === 'PATCH' ||
  (r.method === 'POST' && r.path.startsWith('/webhooks/'));

/** The answer to an interaction: its callback (type 4 reply, type 7 update) or the edit/follow-up. */
async function answerTo(id: string): Promise<{ type: number; data: any }> {
  const r = await discord.waitForRequest((q) => q.interactionId === id && isAnswer(q) && q.status !== undefined && q.status < 300);
  return r.path.endsWith('/callback') ? { type: r.body.type, data: r.body.data } : { type: r.method === 'PATCH' ? 7 : 4, data: r.body };
}

async function run(
  user: FakeUser,
  command: string,
  options: Record<string, string> = {},
  inGuild = true,
): Promise<{ id: string; data: any }> {
  const id = discord.sendCommand({
    name: command,
    options,
    user,
    ...(inGuild ? { guildId: discord.guildId, channelId: discord.guildChannelId } : {}),
  });
  return { id, data: (await answerTo(id)).data };
}

const text = (data: any) => JSON.stringify(data.embeds);

async function settled(): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const c = await store.outbox.counts();
    if (c.pending === 0 && c.sending === 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`outbox did not settle: ${JSON.stringify(await store.outbox.counts())}`);
}

async function price(priceUsd: number): Promise<void> {
  clock.t += 2 * 3600_000; // past the one-hour cooldown every time
  current = headline({ ...current, priceUsd, atMs: clock.t });
  await runtime.evaluate(current);
  await settled();
}

const dataOf = (u: FakeUser) => runtime.services.account.dataOf({ platform: 'discord', id: u.id });

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
    commands: [alert, digest, forget] as unknown as Command[],
    makeContext: ({ user, chat }): CommandContext => ({
      market: {} as Market,
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
    market: {} as Market,
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

describe('/forget on Discord', () => {
  it('asks privately; the button refuses anyone but the asker, then deletes and replaces the question with the counts', async () => {
    expect(text((await run(carol, 'alert', { action: 'add', subject: 'price', condition: 'above', value: '90k' })).data)).toContain(
      'Alert #1 added',
    );
    expect(text((await run(carol, 'digest', { action: 'dm', time: '07:30', timezone: 'UTC' })).data)).toContain('by direct message');
    expect(text((await run(dave, 'alert', { action: 'add', subject: 'price', condition: 'above', value: '90k' })).data)).toContain(
      'Alert #2 added',
    );

    const asked = await run(carol, 'forget');
    expect(asked.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(text(asked.data)).toContain('1 alert rule (#1); your daily digest by direct message');
    const button = asked.data.components[0].components[0];
    expect(button.label).toBe('Delete my data');
    expect(button.custom_id).toMatch(new RegExp(`^hw1:forget:confirm=${carol.id}\\.\\d{10}$`));
    const messageId = discord.originalMessageId(asked.id)!;

    // Custom ids are not secret: a press by Dave is answered to Dave alone and deletes nothing.
    const stolen = await answerTo(
      discord.pressButton({
        customId: button.custom_id,
        messageId,
        user: dave,
        guildId: discord.guildId,
        channelId: discord.guildChannelId,
      }),
    );
    expect(stolen.type).toBe(4);
    expect(stolen.data.flags & EPHEMERAL).toBe(EPHEMERAL);
    expect(text(stolen.data)).toContain('Not your button');
    expect((await dataOf(carol)).rules).toBe(1);

    const pressed = await answerTo(
      discord.pressButton({
        customId: button.custom_id,
        messageId,
        user: carol,
        guildId: discord.guildId,
        channelId: discord.guildChannelId,
      }),
    );
    expect(pressed.type).toBe(7); // the ephemeral question itself becomes the answer
    expect(text(pressed.data)).toContain('Your data is deleted');
    expect(pressed.data.embeds[0].fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'Alert rules', value: '1' }),
        expect.objectContaining({ name: 'DM digest', value: '1' }),
      ]),
    );
    expect(pressed.data.components).toEqual([]);
    expect(await dataOf(carol)).toMatchObject({ rules: 0, dmDigests: 0, account: 0 });
    expect((await dataOf(dave)).rules).toBe(1);
  });

  it('refuses a button older than 10 minutes', async () => {
    await run(carol, 'alert', { action: 'add', subject: 'price', condition: 'above', value: '95k' });
    const asked = await run(carol, 'forget');
    const button = asked.data.components[0].components[0];
    clock.t += 10 * 60_000 + 1000;
    const late = await answerTo(
      discord.pressButton({
        customId: button.custom_id,
        messageId: discord.originalMessageId(asked.id)!,
        user: carol,
        guildId: discord.guildId,
        channelId: discord.guildChannelId,
      }),
    );
    expect(text(late.data)).toContain('This button has expired');
    expect((await dataOf(carol)).rules).toBe(1);
    const confirmed = await run(carol, 'forget', { confirm: 'confirm' });
    expect(text(confirmed.data)).toContain('Your data is deleted');
  });
});

describe('a Discord user the bot can no longer DM (50007)', () => {
  it('pauses their alerts instead of retrying; /alert list in a server says why; a command in a DM resumes them', async () => {
    await price(85_000);
    // Discord's answer when no server is shared any more (or DMs are closed):
    // https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
    discord.failRoute('POST', /^\/channels\/\d+\/messages$/, 403, { code: 50007, message: 'Cannot send messages to this user' });
    await price(91_000);
    const dmPosts = () => discord.requests.filter((r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path)).length;
    expect(await store.rules.active()).toEqual([]);
    expect((await store.rules.get(2))?.disabledReason).toContain('50007');
    const posts = dmPosts();
    await price(85_000);
    await price(92_000);
    expect(dmPosts()).toBe(posts); // not retried, not re-fired

    const inServer = await run(dave, 'alert', { action: 'list' });
    expect(text(inServer.data)).toContain('(paused: messages to you failed)');
    expect(text(inServer.data)).toContain('Send me any command in a direct message and your alerts start again.');
    expect(text(inServer.data)).not.toContain('Welcome back');
    expect(await store.rules.active()).toEqual([]); // a server command says nothing about DMs

    const inDm = await run(dave, 'alert', { action: 'list' }, false);
    expect(text(inDm.data)).toContain(
      'Welcome back: messages to you had failed (Discord 403 (50007): Cannot send messages to this user), so I had paused alert #2.',
    );
    expect((await store.rules.active()).map((r) => r.id)).toEqual([2]);
    await price(85_000);
    await price(93_000);
    expect(dmPosts()).toBe(posts + 1);
  });
});
