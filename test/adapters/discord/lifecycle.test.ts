/**
 * Start-up and shutdown of the Discord adapter against the stand-in: registration failures are not
 * fatal, a dropped gateway is resumed, and stop() lets a running command finish before disconnecting.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { defineCommand, type Command, type CommandContext } from '../../../src/core/command.ts';
import type { Reply } from '../../../src/core/reply.ts';
import { createLogger } from '../../../src/logger.ts';
import type { Market } from '../../../src/core/market.ts';
import { startDiscord, type DiscordHandle } from '../../../src/adapters/discord/index.ts';
import { startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../../fakes/discord.ts';

let openGate: () => void = () => {};
const gate = () => new Promise<void>((resolve) => (openGate = resolve));

const ping = defineCommand({
  name: 'ping',
  description: 'Test probe: answers at once',
  options: {},
  examples: ['/ping'],
  run: async (): Promise<Reply> => ({ title: 'pong', sections: [], footer: ['probe'], tone: 'neutral' }),
}) as unknown as Command;

const waits = defineCommand({
  name: 'waits',
  description: 'Test probe: answers when the test opens the gate',
  options: {},
  examples: ['/waits'],
  run: async (): Promise<Reply> => {
    await gate();
    return { title: 'done waiting', sections: [], footer: ['probe'], tone: 'neutral' };
  },
}) as unknown as Command;

let discord: FakeDiscord;
let bot: DiscordHandle;
const logs: string[] = [];

const answered = (id: string) =>
  discord.waitForRequest(
    (r: RecordedRequest) =>
      r.interactionId === id &&
      r.status !== undefined &&
      r.status < 300 &&
      (r.method === 'PATCH' || (r.path.endsWith('/callback') && r.body?.type === 4)),
  );

beforeAll(async () => {
  discord = await startFakeDiscord();
  const config = loadConfig({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl });
  const logger = createLogger({ level: 'info' }, { write: (line: string) => void logs.push(line) });
  // Discord refuses the command list: the bot must still come up and answer.
  discord.failRoute('GET', /\/commands$/, 403, { code: 50001, message: 'Missing Access' });
  bot = await startDiscord({
    config,
    logger,
    commands: [ping, waits],
    makeContext: (who) =>
      ({ market: {} as Market, now: () => Date.now(), platform: 'discord', version: 'test', services: {}, ...who }) as CommandContext,
    deferAfterMs: 50,
  });
});

afterAll(async () => {
  await bot?.stop();
  await discord?.close();
});

describe('Discord adapter lifecycle', () => {
  it('a failing start-up registration is logged, not fatal', async () => {
    await vi.waitFor(() =>
      expect(logs.some((l) => l.includes('discord command registration failed') && l.includes('Missing Access'))).toBe(true),
    );
    expect(discord.requests.some((r) => r.method === 'PUT')).toBe(false);
    const id = discord.sendCommand({ name: 'ping', guildId: discord.guildId });
    expect((await answered(id)).body.data.embeds[0].title).toBe('pong');
  });

  it('resumes the session after the gateway connection drops, and keeps answering', async () => {
    const identifies = discord.gatewayStats.identifies;
    discord.dropGateway();
    await vi.waitFor(() => expect(discord.gatewayConnections()).toBe(1), { timeout: 15_000 });
    expect(discord.gatewayStats.resumes).toBe(1);
    expect(discord.gatewayStats.identifies).toBe(identifies);
    const id = discord.sendCommand({ name: 'ping' });
    expect((await answered(id)).body.data.embeds[0].title).toBe('pong');
  });

  it('a wrong token fails start-up with a message naming what to check, and leaves no connection open', async () => {
    const config = loadConfig({ DISCORD_TOKEN: 'not-the-token', DISCORD_API_URL: discord.apiUrl });
    const makeContext = () => ({}) as CommandContext;
    await expect(startDiscord({ config, logger: createLogger({ level: 'silent' }), commands: [ping], makeContext })).rejects.toThrow(
      /Discord login failed .*check DISCORD_TOKEN/,
    );
    expect(discord.gatewayConnections()).toBe(1);
  });

  it('stop() lets a running command finish, then disconnects', async () => {
    const id = discord.sendCommand({ name: 'waits', guildId: discord.guildId });
    await discord.waitForRequest((r) => r.interactionId === id && r.body?.type === 5 && r.status === 204);
    let stopped = false;
    const stopping = bot.stop().then(() => (stopped = true));
    // Long enough for an eager disconnect to show; a correct stop() waits for the gate however long.
    await new Promise((r) => setTimeout(r, 100));
    expect(stopped).toBe(false);
    expect(discord.gatewayConnections()).toBe(1);
    openGate();
    await stopping;
    expect(await bot.stop()).toBeUndefined();
    const edit = discord.requestsFor(id).find((r) => r.method === 'PATCH');
    expect(edit?.status).toBe(200);
    expect(edit?.body.embeds[0].title).toBe('done waiting');
    await vi.waitFor(() => expect(discord.gatewayConnections()).toBe(0));
    expect(logs.some((l) => l.includes('discord stopped'))).toBe(true);
  });

  it('the sender still posts after stop(): main stops the adapters before the outbox drains', async () => {
    const reply: Reply = { title: 'Daily digest', sections: [], footer: ['probe'], tone: 'neutral' };
    const result = await bot.sender.send({ platform: 'discord', kind: 'channel', chatId: discord.guildChannelId }, reply);
    expect(result).toEqual({ ok: true, messageIds: [expect.stringMatching(/^\d+$/)] });
    const post = discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${discord.guildChannelId}/messages`).at(-1);
    expect(post?.authorized).toBe(true);
    expect(post?.body.embeds[0].title).toBe('Daily digest');
  });
});
