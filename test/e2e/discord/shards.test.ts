/**
 * Two bot processes as operators run them (`npm start` → bin/hashwatch.js), one with
 * DISCORD_SHARDS=0 and one with DISCORD_SHARDS=1, DISCORD_SHARD_COUNT=2, against the Discord
 * stand-in: each guild's commands reach only the process running its shard, DMs reach shard 0, and
 * the slash commands are registered once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeDiscord, type FakeDiscord, type RecordedRequest } from '../../fakes/discord.ts';
import { startFakeMempool, type FakeMempool } from '../../fakes/mempool.ts';

interface BotProcess {
  child: ChildProcess;
  output: () => string;
}

let discord: FakeDiscord;
let mempool: FakeMempool;
let dir: string;
let shard0: BotProcess;
let shard1: BotProcess;
let guildOnShard1: { guildId: string; channelId: string };

function startBot(shards: string): BotProcess {
  let output = '';
  const child = spawn(process.execPath, ['bin/hashwatch.js'], {
    env: {
      PATH: process.env.PATH,
      ...mempool.env,
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_SHARDS: shards,
      DISCORD_SHARD_COUNT: '2',
      DATABASE_PATH: join(dir, `shard-${shards}.db`),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

async function answerTo(id: string): Promise<any> {
  const isAnswer = (r: RecordedRequest) =>
    r.interactionId === id && ((r.path.endsWith('/callback') && r.body?.type === 4) || r.method === 'PATCH') && (r.status ?? 500) < 300;
  const answer = await discord.waitForRequest(isAnswer, 20_000);
  return answer.path.endsWith('/callback') ? answer.body.data : answer.body;
}

const commandRoutes = (method: string) =>
  discord.requests.filter((r) => r.method === method && r.path === `/applications/${discord.appId}/commands`);

beforeAll(async () => {
  [discord, mempool] = await Promise.all([startFakeDiscord(), startFakeMempool()]);
  guildOnShard1 = discord.addGuild({ shard: 1, shardCount: 2 });
  dir = mkdtempSync(join(tmpdir(), 'hashwatch-shards-'));
  shard0 = startBot('0');
  shard1 = startBot('1');
  await vi.waitFor(() => expect(discord.dispatched.filter((d) => d.t === 'READY')).toHaveLength(2), { timeout: 45_000, interval: 100 });
}, 60_000);

afterAll(async () => {
  for (const bot of [shard0, shard1]) if (bot?.child.exitCode === null) bot.child.kill('SIGKILL');
  await Promise.all([discord?.close(), mempool?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('two bot processes, shard 0 and shard 1 of 2', () => {
  it('each identifies with its own shard', () => {
    expect(
      discord.dispatched
        .filter((d) => d.t === 'READY')
        .map((d) => d.shard)
        .sort(),
    ).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('a command in a guild on shard 1 reaches and is answered by the process running shard 1 only', async () => {
    const id = discord.sendCommand({ name: 'hashprice', guildId: guildOnShard1.guildId });
    // The interaction (and the token to answer it) went to the shard-1 session alone.
    expect(discord.dispatched.filter((d) => d.interactionId === id).map((d) => d.shard)).toEqual([[1, 2]]);
    expect(JSON.stringify((await answerTo(id)).embeds)).toContain('$38.86');
    expect(discord.requestsFor(id).filter((r) => r.path.endsWith('/callback'))).toHaveLength(1);
  });

  it('a command in a DM reaches the process running shard 0 only', async () => {
    const id = discord.sendCommand({ name: 'hashprice' });
    expect(discord.dispatched.filter((d) => d.interactionId === id).map((d) => d.shard)).toEqual([[0, 2]]);
    expect(JSON.stringify((await answerTo(id)).embeds)).toContain('$38.86');
  });

  it('the slash commands are registered once, by the process running shard 0', async () => {
    await vi.waitFor(
      () => {
        expect(shard0.output()).toContain('discord commands registered');
        expect(shard1.output()).toContain('discord commands are registered by the instance running shard 0');
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(commandRoutes('GET')).toHaveLength(1);
    expect(commandRoutes('PUT')).toHaveLength(1);
  });

  it('both shut down cleanly on SIGTERM, and neither logged the token', async () => {
    const exits = [shard0, shard1].map(({ child }) => new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))));
    shard0.child.kill('SIGTERM');
    shard1.child.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);
    expect(commandRoutes('PUT')).toHaveLength(1);
    for (const bot of [shard0, shard1]) expect(bot.output()).not.toContain(discord.token);
  }, 30_000);
});
