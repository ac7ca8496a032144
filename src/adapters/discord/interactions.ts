/**
 * Discord interactions → command runs → replies. Discord drops an interaction that is not
 * acknowledged within 3 s, so a command that has not answered after `deferAfterMs` is deferred first
 * and its answer edited in. Nothing here throws to the client: failures are logged and the user gets
 * an ephemeral message.
 */
import {
  MessageFlags,
  PermissionFlagsBits,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
} from 'discord.js';
import type { Command, CommandContext } from '../../core/command.ts';
import { errorReply, type Reply } from '../../core/reply.ts';
import { findCommand, runCommand } from '../../core/run.ts';
import type { Logger } from '../../logger.ts';
import { renderDiscord } from './format.ts';
import { suggestChoices } from './autocomplete.ts';
import { decodeButtonId } from './custom-id.ts';
import { botIsMember, whereInvoked } from './where.ts';

export interface InteractionDeps {
  commands: readonly Command[];
  makeContext(who: { user: CommandContext['user']; chat: CommandContext['chat'] }): CommandContext;
  logger: Logger;
  /** How long a command may take before the interaction is deferred (Discord allows 3 s in all). */
  deferAfterMs: number;
}

type Repliable = ChatInputCommandInteraction | ButtonInteraction;

/**
 * Manage Server or Manage Channels (Administrator implies both); everyone is admin of their own DM
 * with the bot, and nobody of a DM or group DM between users, which the bot cannot post in anyway.
 */
function isChannelAdmin(interaction: Repliable): boolean {
  const where = whereInvoked(interaction);
  if (where === 'bot-dm') return true;
  if (where === 'private-channel') return false;
  const p = interaction.memberPermissions;
  return Boolean(p && (p.has(PermissionFlagsBits.ManageGuild) || p.has(PermissionFlagsBits.ManageChannels)));
}

function contextFor(interaction: Repliable, deps: InteractionDeps): CommandContext {
  const user = { platform: 'discord' as const, id: interaction.user.id, name: interaction.user.globalName ?? interaction.user.username };
  const where = whereInvoked(interaction);
  const chat = {
    id: interaction.channelId ?? `dm-${interaction.user.id}`,
    // A DM between users is not the asker's private chat with the bot: "this chat" there is shared.
    kind: where === 'bot-dm' ? ('private' as const) : ('group' as const),
    postable: botIsMember(where),
    // Every interaction reply can be ephemeral, so personal commands run anywhere.
    privateReplies: true,
    adminRule: 'the Manage Server or Manage Channels permission in this server',
    isAdmin: async () => isChannelAdmin(interaction),
  };
  return deps.makeContext({ user, chat });
}

function replyOptions(reply: Reply, nowMs: number): InteractionReplyOptions {
  const { embeds, components, files, allowedMentions, flags } = renderDiscord(reply, nowMs);
  return { embeds, components, files, allowedMentions, ...(flags ? { flags: MessageFlags.Ephemeral } : {}) };
}

/** Edits replace the whole message: an empty attachment list removes a previous chart. */
function editOptions(reply: Reply, nowMs: number): InteractionEditReplyOptions {
  const { embeds, components, files, allowedMentions } = renderDiscord(reply, nowMs);
  return { embeds, components, files, allowedMentions, attachments: [] };
}

const NOT_YET = Symbol('not yet');

/** The command's answer, or NOT_YET when it takes longer than `ms`. */
async function within(run: Promise<Reply>, ms: number): Promise<Reply | typeof NOT_YET> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<typeof NOT_YET>((resolve) => {
    timer = setTimeout(() => resolve(NOT_YET), ms);
  });
  try {
    return await Promise.race([run, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function answerCommand(
  interaction: ChatInputCommandInteraction,
  ctx: CommandContext,
  run: Promise<Reply>,
  deps: InteractionDeps,
  personal: boolean,
): Promise<void> {
  const early = await within(run, deps.deferAfterMs);
  if (early !== NOT_YET) {
    await interaction.reply(replyOptions(early, ctx.now()));
    return;
  }
  // A personal command's "thinking…" must not show in the channel either.
  await interaction.deferReply(personal ? { flags: MessageFlags.Ephemeral } : {});
  const reply = await run;
  if (reply.ephemeral && !personal) {
    // A deferred reply is already public; swap it for a message only the asker sees.
    await interaction.deleteReply();
    await interaction.followUp(replyOptions(reply, ctx.now()));
    return;
  }
  await interaction.editReply(editOptions(reply, ctx.now()));
}

async function answerButton(
  interaction: ButtonInteraction,
  ctx: CommandContext,
  run: Promise<Reply>,
  deps: InteractionDeps,
): Promise<void> {
  // A personal answer replaces the message it was pressed on when only the presser could see that
  // message (/forget's question becomes its result, and its button goes away).
  const inPlace = (reply: Reply) => !reply.ephemeral || (reply.tone !== 'error' && interaction.message.flags.has(MessageFlags.Ephemeral));
  const early = await within(run, deps.deferAfterMs);
  if (early !== NOT_YET) {
    // An error goes to the presser alone and leaves the shared message as it was.
    if (inPlace(early)) await interaction.update(editOptions(early, ctx.now()));
    else await interaction.reply(replyOptions(early, ctx.now()));
    return;
  }
  await interaction.deferUpdate();
  const reply = await run;
  if (inPlace(reply)) await interaction.editReply(editOptions(reply, ctx.now()));
  else await interaction.followUp(replyOptions(reply, ctx.now()));
}

async function onSlashCommand(interaction: ChatInputCommandInteraction, deps: InteractionDeps): Promise<void> {
  const ctx = contextFor(interaction, deps);
  const command = findCommand(deps.commands, interaction.commandName);
  const raw: Record<string, unknown> = {};
  for (const option of interaction.options.data) raw[option.name] = option.value;
  const run = runCommand(deps.commands, interaction.commandName, raw, ctx, deps.logger);
  await answerCommand(interaction, ctx, run, deps, command?.personal === true);
}

async function onButton(interaction: ButtonInteraction, deps: InteractionDeps): Promise<void> {
  const ctx = contextFor(interaction, deps);
  const action = decodeButtonId(interaction.customId);
  const command = action && findCommand(deps.commands, action.command);
  if (!action || !command) {
    await interaction.reply(
      replyOptions(errorReply('This button no longer works', 'Run the command again to get fresh buttons.'), ctx.now()),
    );
    return;
  }
  const run = runCommand(deps.commands, action.command, action.args, ctx, deps.logger);
  await answerButton(interaction, ctx, run, deps);
}

async function onAutocomplete(interaction: AutocompleteInteraction, deps: InteractionDeps): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const spec = findCommand(deps.commands, interaction.commandName)?.options[focused.name];
  const suggestions = spec?.kind === 'choice' ? suggestChoices(spec, String(focused.value)) : [];
  await interaction.respond(suggestions.map((c) => ({ name: c, value: c })));
}

const FAILED = errorReply('Something went wrong', 'This answer could not be sent. It has been logged; please try again in a minute.');

async function tellUser(interaction: Repliable, logger: Logger): Promise<void> {
  try {
    const options = replyOptions(FAILED, Date.now());
    if (interaction.deferred || interaction.replied) await interaction.followUp(options);
    else await interaction.reply(options);
  } catch (err) {
    // Usually the interaction expired (10062); there is no one left to tell.
    logger.warn({ err: describe(err), interaction: interaction.id }, 'could not tell the user about a failed interaction');
  }
}

export function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export async function handleInteraction(interaction: Interaction, deps: InteractionDeps): Promise<void> {
  try {
    if (interaction.isChatInputCommand()) await onSlashCommand(interaction, deps);
    else if (interaction.isButton()) await onButton(interaction, deps);
    else if (interaction.isAutocomplete()) await onAutocomplete(interaction, deps);
  } catch (err) {
    deps.logger.error({ err: describe(err), interaction: interaction.id, type: interaction.type }, 'discord interaction failed');
    if (interaction.isChatInputCommand() || interaction.isButton()) await tellUser(interaction, deps.logger);
  }
}
