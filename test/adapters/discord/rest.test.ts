/** Every Discord REST call has a deadline: a stalled answer is a retryable failure, never a held slot. */
import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { CALL_TIMEOUT_MS, restOptions } from '../../../src/adapters/discord/rest.ts';
import { createDiscordSender } from '../../../src/adapters/discord/sender.ts';
import { silentLogger } from '../../../src/logger.ts';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord.ts';

let discord: FakeDiscord;
beforeAll(async () => {
  discord = await startFakeDiscord();
});
afterAll(async () => {
  discord.setDelay(0);
  await discord.close();
});

describe('Discord REST deadlines', () => {
  it('every REST client of the bot gets a 10 s deadline per attempt and one retry', () => {
    const options = restOptions(loadConfig({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl }));
    expect(CALL_TIMEOUT_MS).toBe(10_000);
    expect(options).toMatchObject({ timeout: CALL_TIMEOUT_MS, retries: 1 });
  });

  it('a send Discord does not answer in time comes back as a retryable failure', async () => {
    const config = loadConfig({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl });
    // The production options with a short deadline, so the test need not wait 2 × 10 s.
    const rest = new REST({ ...restOptions(config), timeout: 100 }).setToken(discord.token);
    const sender = createDiscordSender(rest, silentLogger);
    discord.setDelay(3_000);
    const result = await sender.send(
      { platform: 'discord', chatId: discord.guildChannelId, kind: 'channel' },
      { title: 'Alert', sections: [], footer: ['t'], tone: 'neutral' },
    );
    discord.setDelay(0);
    expect(result).toMatchObject({ ok: false, permanent: false });
  });
});
