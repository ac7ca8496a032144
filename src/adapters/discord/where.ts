/**
 * Where an interaction ran, and whether the bot is a member there. With user install
 * (https://discord.com/developers/docs/resources/application#installation-context) a command can
 * arrive from a server the bot never joined, or from a DM or group DM between other people: the
 * bot may answer the interaction there, and nothing else ("apps installed only to a user can't take
 * actions in a server").
 *
 * Read from the interaction's `context` and `authorizing_integration_owners`
 * (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object):
 * the GUILD_INSTALL key ("0") is present only when the app is installed to the server the command
 * came from (its value is that guild's id), or "0" in a DM with the bot.
 */
import { InteractionContextType, type BaseInteraction } from 'discord.js';

export type Where =
  /** A server the app is installed to: the bot can post in its channels. */
  | 'server'
  /** The user's DM with the bot. */
  | 'bot-dm'
  /** A server where only the asking user installed the app: answers only, no posts. */
  | 'foreign-server'
  /** A DM or group DM between users (PRIVATE_CHANNEL): answers only, no posts. */
  | 'private-channel';

export function whereInvoked(
  interaction: Pick<BaseInteraction, 'context' | 'guildId' | 'authorizingIntegrationOwners'> & { inGuild(): boolean },
): Where {
  switch (interaction.context) {
    case InteractionContextType.BotDM:
      return 'bot-dm';
    case InteractionContextType.PrivateChannel:
      return 'private-channel';
    case InteractionContextType.Guild: {
      const installedHere = interaction.authorizingIntegrationOwners?.guildId;
      return installedHere != null && installedHere === interaction.guildId ? 'server' : 'foreign-server';
    }
    default:
      // No context field (an interaction from before user install existed): only a server install
      // could have sent it.
      return interaction.inGuild() ? 'server' : 'bot-dm';
  }
}

/** The bot can post here on its own (digests, alerts to a channel), not only answer. */
export const botIsMember = (where: Where): boolean => where === 'server' || where === 'bot-dm';
