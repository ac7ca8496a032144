/**
 * Slash command registration: to DISCORD_GUILD_ID when set (visible at once, for development),
 * globally otherwise. The registered set is read first and the PUT skipped when nothing changed, so
 * restarting the bot does not spend Discord's daily command-create budget.
 */
import { REST, Routes } from 'discord.js';
import type { Config } from '../../config.ts';
import type { Command } from '../../core/command.ts';
import type { Logger } from '../../logger.ts';
import { restOptions } from './rest.ts';
import { buildSlashCommands, normaliseCommandSet, slashCommandProblems } from './slash.ts';

export interface RegisterResult {
  scope: 'guild' | 'global';
  count: number;
  changed: boolean;
}

function restFor(config: Config): REST {
  if (!config.DISCORD_TOKEN) throw new Error('DISCORD_TOKEN is not set');
  return new REST(restOptions(config)).setToken(config.DISCORD_TOKEN);
}

export async function syncCommands(opts: {
  rest: REST;
  config: Config;
  logger: Logger;
  commands: readonly Command[];
  appId?: string;
}): Promise<RegisterResult> {
  const { rest, config, logger } = opts;
  const guildId = config.DISCORD_GUILD_ID;
  const scope = guildId ? 'guild' : 'global';
  const wanted = buildSlashCommands(opts.commands, scope);
  const problems = slashCommandProblems(wanted);
  if (problems.length) throw new Error(`slash commands break Discord's limits: ${problems.join('; ')}`);

  const appId = opts.appId ?? config.DISCORD_APP_ID ?? ((await rest.get(Routes.currentApplication())) as { id: string }).id;
  const route = guildId ? Routes.applicationGuildCommands(appId, guildId) : Routes.applicationCommands(appId);

  // The comparison covers where each command may be installed and used, so adding user install
  // to an already registered set is a change worth a PUT.
  const current = (await rest.get(route)) as unknown[];
  if (normaliseCommandSet(current, scope) === normaliseCommandSet(wanted, scope)) {
    logger.info({ scope, count: wanted.length }, 'discord commands already up to date');
    return { scope, count: wanted.length, changed: false };
  }
  await rest.put(route, { body: wanted });
  logger.info({ scope, count: wanted.length, guildId }, 'discord commands registered');
  return { scope, count: wanted.length, changed: true };
}

export async function registerCommands(opts: {
  config: Config;
  logger: Logger;
  commands: readonly Command[];
  appId?: string;
}): Promise<RegisterResult> {
  return syncCommands({ ...opts, rest: restFor(opts.config) });
}
