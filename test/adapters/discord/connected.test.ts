/**
 * /readyz asks the Discord adapter whether its gateway sessions are up: a process whose gateway is
 * gone must stop reading "connected" (it can take no command), not only one whose adapter ended.
 */
import { afterAll, expect, it, vi } from 'vitest';
import { startDiscord, type DiscordHandle } from '../../../src/adapters/discord/index.ts';
import { loadConfig } from '../../../src/config.ts';
import type { CommandContext } from '../../../src/core/command.ts';
import { createLogger } from '../../../src/logger.ts';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord.ts';

let discord: FakeDiscord | undefined;
let bot: DiscordHandle | undefined;

afterAll(async () => {
  await bot?.stop();
  await discord?.close();
});

it('reads connected while the gateway session is ready, and not once the gateway is gone', async () => {
  discord = await startFakeDiscord();
  const config = loadConfig({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl });
  bot = await startDiscord({ config, logger: createLogger({ level: 'silent' }), commands: [], makeContext: () => ({}) as CommandContext });
  expect(bot.connected()).toBe(true);
  await discord.close();
  discord = undefined;
  await vi.waitFor(() => expect(bot!.connected()).toBe(false), { timeout: 15_000 });
});
