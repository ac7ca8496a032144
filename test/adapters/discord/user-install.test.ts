/**
 * Discord user install: commands registered for both installation contexts, answered in servers the
 * bot is not in and in DMs between users, with the actions that need the bot as a member (a channel
 * digest, admin commands) refused there. A real discord.js client against the local stand-in.
 */
import 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { loadConfig, type Config } from '../../../src/config.ts';
import { defineCommand, type Command, type CommandContext } from '../../../src/core/command.ts';
import type { Destination } from '../../../src/core/delivery.ts';
import type { Reply } from '../../../src/core/reply.ts';
import { runCommand } from '../../../src/core/run.ts';
import { silentLogger } from '../../../src/logger.ts';
import { createMarket } from '../../../src/sources/index.ts';
import type { Market } from '../../../src/core/market.ts';
import { registerCommands, startDiscord, type DiscordHandle } from '../../../src/adapters/discord/index.ts';
import { buildSlashCommands, normaliseCommandSet } from '../../../src/adapters/discord/slash.ts';
import { digestCommands } from '../../../src/digests/subscriptions.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { EPHEMERAL, startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../../fakes/discord.ts';
import { startFakeMempool, type FakeMempool } from '../../fakes/mempool.ts';
import { TIP_TIME_SEC } from '../../fakes/world.ts';

const NOW = TIP_TIME_SEC * 1000 + 10 * 60_000;
const MANAGE_GUILD = String(1 << 5);

/** An admin-only command: it must stay with the server install and be refused elsewhere. */
const channelSettings = defineCommand({
  name: 'channelsettings',
  description: 'Test probe: admin-only channel settings',
  options: {},
  adminOnly: true,
  examples: ['/channelsettings'],
  run: async () => ({ title: 'Channel settings changed', sections: [], footer: ['probe'], tone: 'neutral' }),
}) as unknown as Command;

const testCommands: Command[] = [...commands, channelSettings];

/**
 * The application command fields Discord documents
 * (https://discord.com/developers/docs/interactions/application-commands#application-command-object),
 * less the ones Discord assigns (id, application_id, guild_id, version).
 */
const DOCUMENTED_FIELDS = new Set([
  'type',
  'name',
  'name_localizations',
  'description',
  'description_localizations',
  'options',
  'default_member_permissions',
  'dm_permission',
  'default_permission',
  'nsfw',
  'integration_types',
  'contexts',
  'handler',
]);
// Application integration types and interaction context types, from
// https://discord.com/developers/docs/resources/application#application-object-application-integration-types and
// https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-context-types
const GUILD_INSTALL = 0;
const USER_INSTALL = 1;
const GUILD = 0;
const BOT_DM = 1;
const PRIVATE_CHANNEL = 2;

describe('registration for user install', () => {
  const global = buildSlashCommands(testCommands);

  it('uses only documented command fields', () => {
    for (const c of global) for (const key of Object.keys(c)) expect(DOCUMENTED_FIELDS, `/${c.name} ${key}`).toContain(key);
  });

  it('offers every everyday command to server and user installs, in servers, the bot DM and private channels', () => {
    for (const c of global.filter((c) => c.name !== 'channelsettings')) {
      expect(c.integration_types, c.name).toEqual([GUILD_INSTALL, USER_INSTALL]);
      expect(c.contexts, c.name).toEqual([GUILD, BOT_DM, PRIVATE_CHANNEL]);
    }
  });

  it('keeps admin-only commands with the server install (servers and the bot DM)', () => {
    const admin = global.find((c) => c.name === 'channelsettings')!;
    expect(admin.integration_types).toEqual([GUILD_INSTALL]);
    expect(admin.contexts).toEqual([GUILD, BOT_DM]);
  });

  it('leaves both out of a guild-scoped set, where Discord does not apply them', () => {
    for (const c of buildSlashCommands(testCommands, 'guild')) {
      expect(c).not.toHaveProperty('contexts');
      expect(c).not.toHaveProperty('integration_types');
    }
  });

  it('counts a change of installation or interaction contexts as a change', () => {
    const serverOnly = global.map((c) => ({ ...c, integration_types: [GUILD_INSTALL], contexts: [GUILD, BOT_DM] }));
    expect(normaliseCommandSet(serverOnly)).not.toBe(normaliseCommandSet(global));
    const reordered = global.map((c) => ({
      ...c,
      integration_types: [...c.integration_types!].reverse(),
      contexts: [...c.contexts!].reverse(),
    }));
    expect(normaliseCommandSet(reordered)).toBe(normaliseCommandSet(global));
    // Guild scope: whatever Discord echoes back for these fields is not a change.
    expect(normaliseCommandSet(serverOnly, 'guild')).toBe(normaliseCommandSet(buildSlashCommands(testCommands, 'guild'), 'guild'));
  });
});

let discord: FakeDiscord;
let mempool: FakeMempool;
let config: Config;
let market: Market;
let store: Store;
let bot: DiscordHandle;

const digestReply = async (d: Destination): Promise<Reply> => ({
  title: 'Daily digest',
  lines: [`for ${d.chatId}`],
  sections: [],
  footer: ['test'],
  tone: 'neutral',
});

const makeContext = (who: Pick<CommandContext, 'user' | 'chat'>): CommandContext => ({
  market,
  now: () => NOW,
  platform: 'discord',
  version: 'test',
  services: { digests: digestCommands({ store, now: () => NOW, defaultTime: '14:00', buildDigest: digestReply }) },
  ...who,
});

const isAnswer = (r: RecordedRequest) =>
  (r.path.endsWith('/callback') && r.body?.type === 4) || r.method === 'PATCH' || (r.method === 'POST' && r.path.startsWith('/webhooks/'));

async function answerTo(id: string): Promise<any> {
  const request = await discord.waitForRequest((r) => r.interactionId === id && isAnswer(r) && r.status !== undefined && r.status < 300);
  return request.path.endsWith('/callback') ? request.body.data : request.body;
}

const FOREIGN_GUILD = '900000000000000001';

beforeAll(async () => {
  [discord, mempool] = await Promise.all([startFakeDiscord(), startFakeMempool()]);
  config = loadConfig({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, ...mempool.env });
  market = createMarket({ config, logger: silentLogger, now: () => NOW });
  store = openStore(':memory:');
  bot = await startDiscord({ config, logger: silentLogger, commands: testCommands, makeContext, deferAfterMs: 2_000 });
  await discord.waitForRequest((r) => r.method === 'PUT' && r.path === `/applications/${discord.appId}/commands` && r.status === 200);
  // Warm the market cache so answers come at once.
  await runCommand(testCommands, 'hashprice', {}, makeContext({}));
});

afterAll(async () => {
  await bot?.stop();
  await Promise.all([discord?.close(), mempool?.close()]);
  await store?.close();
});

describe('global registration against the stand-in', () => {
  it('replaces a set registered for server install only, then leaves it alone', async () => {
    const route = `/applications/${discord.appId}/commands`;
    const putsBefore = discord.requests.filter((r) => r.method === 'PUT' && r.path === route).length;
    // What the previous release registered: server install, servers and the bot DM only.
    discord.registered.set(
      'global',
      buildSlashCommands(testCommands).map((c) => ({ ...c, integration_types: [GUILD_INSTALL], contexts: [GUILD, BOT_DM] })),
    );
    expect(await registerCommands({ config, logger: silentLogger, commands: testCommands })).toMatchObject({
      scope: 'global',
      changed: true,
    });
    const put = discord.requests.filter((r) => r.method === 'PUT' && r.path === route).at(-1)!;
    expect(put.body.find((c: any) => c.name === 'hashprice')).toMatchObject({
      integration_types: [GUILD_INSTALL, USER_INSTALL],
      contexts: [GUILD, BOT_DM, PRIVATE_CHANNEL],
    });
    expect(await registerCommands({ config, logger: silentLogger, commands: testCommands })).toMatchObject({ changed: false });
    expect(discord.requests.filter((r) => r.method === 'PUT' && r.path === route)).toHaveLength(putsBefore + 1);
  });
});

describe('a command run through a user install', () => {
  it('/hashprice in a server the bot is not in is answered, with no post of its own to that channel', async () => {
    const id = discord.sendCommand({ name: 'hashprice', guildId: FOREIGN_GUILD, userInstall: true });
    const message = await answerTo(id);
    expect(message.embeds[0].title).toBe('Hashprice');
    expect(message.embeds[0].fields.map((f: any) => f.value)).toContain('$38.86');
    expect(discord.requests.some((r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path))).toBe(false);
  });

  it('/hashprice in a group DM between users is answered too', async () => {
    const id = discord.sendCommand({ name: 'hashprice', userInstall: true });
    const message = await answerTo(id);
    expect(message.embeds[0].fields.map((f: any) => f.value)).toContain('$38.86');
  });

  it('/digest subscribe in a server the bot is not in is refused (even for a Manage Server member), and nothing is scheduled', async () => {
    const id = discord.sendCommand({
      name: 'digest',
      options: { action: 'subscribe' },
      guildId: FOREIGN_GUILD,
      userInstall: true,
      memberPermissions: MANAGE_GUILD,
    });
    const message = await answerTo(id);
    expect(message.flags).toBe(EPHEMERAL);
    expect(message.embeds[0].title).toContain('No daily digest in this chat');
    expect(message.embeds[0].description).toMatch(/not a member here[\s\S]*\/digest action:dm/);
    expect(await store.schedules.active()).toEqual([]);
  });

  it('/digest subscribe in a group DM is refused rather than read as the asker’s own DM', async () => {
    const id = discord.sendCommand({ name: 'digest', options: { action: 'subscribe' }, userInstall: true });
    const message = await answerTo(id);
    expect(message.embeds[0].title).toContain('No daily digest in this chat');
    expect(await store.schedules.active()).toEqual([]);
  });

  it('/digest dm from a server the bot is not in schedules the asker’s DM digest', async () => {
    const user = { id: '777000000000000001', username: 'miner' };
    const id = discord.sendCommand({
      name: 'digest',
      options: { action: 'dm', time: '08:00' },
      guildId: FOREIGN_GUILD,
      userInstall: true,
      user,
    });
    const message = await answerTo(id);
    expect(message.embeds[0].title).toBe('Daily digest scheduled');
    expect((await store.schedules.active()).map((s) => [s.chatId, s.kind, s.time])).toEqual([[user.id, 'user', '08:00']]);
    await store.schedules.remove('discord', user.id);
  });

  it('an admin-only command is refused where the bot is not a member, even to a Manage Server member', async () => {
    const id = discord.sendCommand({ name: 'channelsettings', guildId: FOREIGN_GUILD, userInstall: true, memberPermissions: MANAGE_GUILD });
    const message = await answerTo(id);
    expect(message.flags).toBe(EPHEMERAL);
    expect(message.embeds[0].title).toContain('/channelsettings does not work here');
    const inGroupDm = await answerTo(discord.sendCommand({ name: 'channelsettings', userInstall: true }));
    expect(inGroupDm.embeds[0].title).toContain('/channelsettings does not work here');
  });

  it('in the server the bot is in, an admin still subscribes the channel and runs admin commands', async () => {
    const sub = await answerTo(
      discord.sendCommand({ name: 'digest', options: { action: 'subscribe' }, guildId: discord.guildId, memberPermissions: MANAGE_GUILD }),
    );
    expect(sub.embeds[0].title).toBe('Daily digest scheduled');
    expect((await store.schedules.active()).map((s) => [s.chatId, s.kind])).toEqual([[discord.guildChannelId, 'channel']]);
    const admin = await answerTo(
      discord.sendCommand({ name: 'channelsettings', guildId: discord.guildId, memberPermissions: MANAGE_GUILD }),
    );
    expect(admin.embeds[0].title).toBe('Channel settings changed');
  });
});

describe('the stand-in follows Discord for user installs', () => {
  it('refuses a bot post to a channel only reached through a user install (50001)', async () => {
    const id = discord.sendCommand({ name: 'hashprice', guildId: FOREIGN_GUILD, userInstall: true, channelId: '900000000000000002' });
    await answerTo(id);
    const sent = await bot.sender.send(
      { platform: 'discord', chatId: '900000000000000002', kind: 'channel' },
      await digestReply({ platform: 'discord', chatId: 'x', kind: 'channel' }),
    );
    expect(sent).toMatchObject({ ok: false, permanent: true });
  });
});
