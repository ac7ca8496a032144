/**
 * The Discord adapter: a discord.js client that answers slash commands, buttons and autocomplete,
 * keeps the registered slash commands in step with the command declarations, and sends proactive
 * posts for the outbox. DISCORD_API_URL points it at a REST proxy or a local stand-in.
 */
import { Client, Events, GatewayIntentBits, REST, Status } from 'discord.js';
import type { Config } from '../../config.ts';
import type { Command, CommandContext } from '../../core/command.ts';
import type { Sender } from '../../core/delivery.ts';
import type { PlatformAdapter } from '../../core/platform.ts';
import type { Logger } from '../../logger.ts';
import { STOP_GRACE_MS } from '../grace.ts';
import { describe, handleInteraction } from './interactions.ts';
import { syncCommands } from './register.ts';
import { restOptions } from './rest.ts';
import { createDiscordSender } from './sender.ts';
import { registersCommands, shardOptions } from './shards.ts';

export { buildSlashCommands } from './slash.ts';
export { registerCommands } from './register.ts';
export { renderDiscord } from './format.ts';

export interface DiscordDeps {
  config: Config;
  logger: Logger;
  commands: readonly Command[];
  makeContext(who: { user: CommandContext['user']; chat: CommandContext['chat'] }): CommandContext;
  /** Defer an interaction when its command has not answered after this long (default 1,500 ms). */
  deferAfterMs?: number;
}

export interface DiscordHandle {
  sender: Sender;
  /** Every shard of this process has a ready gateway session (a dropped one reads false until resumed). */
  connected(): boolean;
  /**
   * Stops taking interactions, lets running ones finish (up to 10 s), then disconnects. The sender
   * keeps working afterwards, so the outbox can finish what it had in flight.
   */
  stop(): Promise<void>;
}

const DEFAULT_DEFER_AFTER_MS = 1_500;

export async function startDiscord(deps: DiscordDeps): Promise<DiscordHandle> {
  const { config, commands } = deps;
  if (!config.DISCORD_TOKEN) throw new Error('DISCORD_TOKEN is not set');
  const logger = deps.logger.child({ platform: 'discord' });
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    ...shardOptions(config),
    rest: restOptions(config),
    allowedMentions: { parse: [] },
  });

  let stopping = false;
  const running = new Set<Promise<void>>();
  const interactionDeps = { commands, makeContext: deps.makeContext, logger, deferAfterMs: deps.deferAfterMs ?? DEFAULT_DEFER_AFTER_MS };
  client.on(Events.InteractionCreate, (interaction) => {
    if (stopping) return;
    const task = handleInteraction(interaction, interactionDeps).finally(() => running.delete(task));
    running.add(task);
  });
  client.on(Events.Error, (err) => logger.error({ err: describe(err) }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn({ message }, 'discord client warning'));
  client.on(Events.ShardDisconnect, (event, shard) => logger.warn({ code: event.code, shard }, 'discord gateway disconnected for good'));
  client.on(Events.ShardResume, (shard, replayed) => logger.info({ shard, replayed }, 'discord gateway resumed'));

  const ready = new Promise<Client<true>>((resolve) => client.once(Events.ClientReady, resolve));
  try {
    await client.login(config.DISCORD_TOKEN);
  } catch (err) {
    await client.destroy();
    throw new Error(`Discord login failed (${describe(err)}); check DISCORD_TOKEN and DISCORD_API_URL`);
  }
  const readyClient = await ready;
  const appId = readyClient.application.id ?? config.DISCORD_APP_ID;
  logger.info(
    { user: readyClient.user.tag, appId, guilds: readyClient.guilds.cache.size, shards: [...readyClient.ws.shards.keys()] },
    'discord ready',
  );

  // Commands are registered in the background: a failure is logged, and the bot keeps answering
  // whatever set Discord already has.
  let registration: Promise<void> = Promise.resolve();
  if (registersCommands(config)) {
    registration = syncCommands({ rest: client.rest, config, logger, commands, appId }).then(
      () => undefined,
      (err: unknown) =>
        logger.error({ err: describe(err) }, 'discord command registration failed; the previously registered commands stay in place'),
    );
  } else {
    logger.info('discord commands are registered by the instance running shard 0');
  }

  let stopped: Promise<void> | undefined;
  const stop = async () => {
    stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_GRACE_MS);
    });
    await Promise.race([Promise.allSettled([...running, registration]), grace]);
    clearTimeout(timer);
    await client.destroy();
    logger.info('discord stopped');
  };

  // Proactive posts get their own REST client: client.destroy() clears the client's token, and main
  // stops the adapters before the outbox has finished its in-flight sends.
  const senderRest = new REST(restOptions(config)).setToken(config.DISCORD_TOKEN);

  return {
    sender: createDiscordSender(senderRest, logger),
    connected: () => readyClient.ws.shards.size > 0 && readyClient.ws.shards.every((shard) => shard.status === Status.Ready),
    stop: () => (stopped ??= stop()),
  };
}

/** Discord as one of main's platforms. */
export function discordPlatform(deps: Omit<DiscordDeps, 'makeContext'>): PlatformAdapter {
  return {
    platform: 'discord',
    async start(makeContext) {
      const discord = await startDiscord({ ...deps, makeContext });
      deps.logger.info('discord started');
      return discord;
    },
  };
}
