/**
 * Discord sharding with real discord.js clients against the stand-in over sockets: two bot processes
 * (shard 0 and shard 1 of 2) each answer only the guilds on their shard, commands are registered by
 * one of them, the outbox can post anywhere from either, and `auto` runs Discord's recommended count
 * in one client.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { defineCommand, type Command, type CommandContext } from '../../../src/core/command.ts';
import type { Market } from '../../../src/core/market.ts';
import type { Reply } from '../../../src/core/reply.ts';
import { createLogger } from '../../../src/logger.ts';
import { startDiscord, type DiscordHandle } from '../../../src/adapters/discord/index.ts';
import { startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../../fakes/discord.ts';

/** A /ping that says which bot process answered, and counts its runs there. */
function pingOf(process: string, runs: string[]): Command {
  return defineCommand({
    name: 'ping',
    description: 'Test probe: names the process that answered',
    options: {},
    examples: ['/ping'],
    run: async (): Promise<Reply> => {
      runs.push(process);
      return { title: `pong from ${process}`, sections: [], footer: ['probe'], tone: 'neutral' };
    },
  }) as unknown as Command;
}

const makeContext = (who: Pick<CommandContext, 'user' | 'chat'>) =>
  ({ market: {} as Market, now: () => Date.now(), platform: 'discord', version: 'test', services: {}, ...who }) as CommandContext;

interface Bot {
  handle: DiscordHandle;
  logs: string[];
}

async function startBot(discord: FakeDiscord, env: Record<string, string>, process: string, runs: string[]): Promise<Bot> {
  const logs: string[] = [];
  const config = loadConfig({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, ...env });
  const logger = createLogger({ level: 'info', secrets: [discord.token] }, { write: (line: string) => void logs.push(line) });
  const handle = await startDiscord({ config, logger, commands: [pingOf(process, runs)], makeContext });
  return { handle, logs };
}

function answerTo(discord: FakeDiscord, id: string): Promise<RecordedRequest> {
  return discord.waitForRequest((r) => r.interactionId === id && r.path.endsWith('/callback') && r.body?.type === 4 && r.status === 204);
}

const commandRoutes = (discord: FakeDiscord, method: string) =>
  discord.requests.filter((r) => r.method === method && r.path === `/applications/${discord.appId}/commands`);

describe('two processes, shard 0 and shard 1 of 2', () => {
  let discord: FakeDiscord;
  let shard0: Bot;
  let shard1: Bot;
  let guildOnShard1: { guildId: string; channelId: string };
  const runs: string[] = [];

  beforeAll(async () => {
    discord = await startFakeDiscord();
    guildOnShard1 = discord.addGuild({ shard: 1, shardCount: 2 });
    [shard0, shard1] = await Promise.all([
      startBot(discord, { DISCORD_SHARDS: '0', DISCORD_SHARD_COUNT: '2' }, 'shard-0 process', runs),
      startBot(discord, { DISCORD_SHARDS: '1', DISCORD_SHARD_COUNT: '2' }, 'shard-1 process', runs),
    ]);
    await discord.waitForRequest((r) => r.method === 'PUT' && r.path.endsWith('/commands') && r.status === 200);
  });

  afterAll(async () => {
    await Promise.all([shard0?.handle.stop(), shard1?.handle.stop()]);
    await discord?.close();
  });

  it('each process identifies with its own shard and gets only its own guilds', () => {
    const ready = discord.dispatched.filter((d) => d.t === 'READY').map((d) => d.shard);
    expect(ready.sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const guildCreates = discord.dispatched.filter((d) => d.t === 'GUILD_CREATE').map((d) => [d.guildId, d.shard]);
    expect(guildCreates.sort()).toEqual(
      [
        [discord.guildId, [0, 2]],
        [guildOnShard1.guildId, [1, 2]],
      ].sort(),
    );
  });

  it('a command in a guild on shard 1 is answered by the process running shard 1; the other never sees it', async () => {
    const id = discord.sendCommand({ name: 'ping', guildId: guildOnShard1.guildId });
    expect((await answerTo(discord, id)).body.data.embeds[0].title).toBe('pong from shard-1 process');
    expect(discord.dispatched.filter((d) => d.interactionId === id).map((d) => d.shard)).toEqual([[1, 2]]);
    expect(runs).toEqual(['shard-1 process']);
    expect(discord.requestsFor(id).filter((r) => r.path.endsWith('/callback'))).toHaveLength(1);
  });

  it('a command in a guild on shard 0, and one in a DM, are answered by the process running shard 0', async () => {
    runs.length = 0;
    const inGuild = discord.sendCommand({ name: 'ping', guildId: discord.guildId });
    expect((await answerTo(discord, inGuild)).body.data.embeds[0].title).toBe('pong from shard-0 process');
    const inDm = discord.sendCommand({ name: 'ping' });
    expect((await answerTo(discord, inDm)).body.data.embeds[0].title).toBe('pong from shard-0 process');
    expect(runs).toEqual(['shard-0 process', 'shard-0 process']);
  });

  it('the outbox posts through REST from a process whose shards hold neither the channel nor the DM', async () => {
    // The shard-1 process never received the shard-0 guild, so its channel is in no cache there.
    expect(discord.dispatched.some((d) => d.guildId === discord.guildId && d.shard[0] === 1)).toBe(false);
    const reply: Reply = { title: 'Alert: hashprice', sections: [], footer: ['probe'], tone: 'neutral' };
    const toChannel = await shard1.handle.sender.send({ platform: 'discord', kind: 'channel', chatId: discord.guildChannelId }, reply);
    expect(toChannel).toEqual({ ok: true, messageIds: [expect.stringMatching(/^\d+$/)] });
    const userId = '1300000000000000777';
    const toUser = await shard1.handle.sender.send({ platform: 'discord', kind: 'user', chatId: userId }, reply);
    expect(toUser).toEqual({ ok: true, messageIds: [expect.stringMatching(/^\d+$/)] });
    const dm = discord.requests.find((r) => r.method === 'POST' && r.path === '/users/@me/channels');
    expect(dm?.body).toEqual({ recipient_id: userId });
    const posts = discord.requests.filter((r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path));
    expect(posts.map((r) => [r.authorized, r.body.embeds[0].title])).toEqual([
      [true, 'Alert: hashprice'],
      [true, 'Alert: hashprice'],
    ]);
  });

  it('registers the slash commands once, from the process running shard 0', async () => {
    // stop() waits for a registration under way, so nothing is still to come after it.
    await Promise.all([shard0.handle.stop(), shard1.handle.stop()]);
    expect(commandRoutes(discord, 'GET')).toHaveLength(1);
    expect(commandRoutes(discord, 'PUT')).toHaveLength(1);
    expect(shard0.logs.some((l) => l.includes('discord commands registered'))).toBe(true);
    expect(shard1.logs.some((l) => l.includes('discord commands are registered by the instance running shard 0'))).toBe(true);
  });
});

describe('DISCORD_SHARDS=auto', () => {
  let discord: FakeDiscord;
  let bot: Bot;
  let guildOnShard1: { guildId: string; channelId: string };
  const runs: string[] = [];

  beforeAll(async () => {
    // max_concurrency 2 lets both shards identify at once; with 1 discord.js waits 5 s between them.
    discord = await startFakeDiscord({ recommendedShards: 2, maxConcurrency: 2 });
    guildOnShard1 = discord.addGuild({ shard: 1, shardCount: 2 });
    bot = await startBot(discord, { DISCORD_SHARDS: 'auto' }, 'the one process', runs);
  });

  afterAll(async () => {
    await bot?.handle.stop();
    await discord?.close();
  });

  it("runs Discord's recommended count, every shard in one client, and answers on both", async () => {
    expect(discord.requests.filter((r) => r.path === '/gateway/bot').length).toBeGreaterThan(0);
    expect(
      discord.dispatched
        .filter((d) => d.t === 'READY')
        .map((d) => d.shard)
        .sort(),
    ).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(discord.gatewayConnections()).toBe(2);
    const onShard1 = discord.sendCommand({ name: 'ping', guildId: guildOnShard1.guildId });
    const inDm = discord.sendCommand({ name: 'ping' });
    expect((await answerTo(discord, onShard1)).body.data.embeds[0].title).toBe('pong from the one process');
    expect((await answerTo(discord, inDm)).body.data.embeds[0].title).toBe('pong from the one process');
    expect(discord.dispatched.find((d) => d.interactionId === onShard1)?.shard).toEqual([1, 2]);
  });

  it('registers the commands, once', async () => {
    await vi.waitFor(() => expect(commandRoutes(discord, 'PUT')).toHaveLength(1));
    await bot.handle.stop();
    expect(commandRoutes(discord, 'GET')).toHaveLength(1);
    expect(commandRoutes(discord, 'PUT')).toHaveLength(1);
  });
});
