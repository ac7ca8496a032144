/**
 * Command declarations → Discord slash command JSON, the checks Discord applies to it, and the
 * normal form used to tell whether the registered set is already up to date.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  PermissionFlagsBits,
  type APIApplicationCommandBasicOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Command, OptionSpec } from '../../core/command.ts';

export type SlashCommandJSON = RESTPostAPIChatInputApplicationCommandsJSONBody;

const SLASH_LIMITS = {
  name: 32,
  description: 100,
  options: 25,
  choices: 25,
  choiceText: 100,
  totalChars: 4000,
  commands: 100,
  /** NUMBER/INTEGER min_value and max_value must lie within ±2^53. */
  numberBound: 2 ** 53,
  maxLength: 6000,
} as const;

/** Who may run channel administration commands by default; the handler re-checks either one. */
const ADMIN_PERMISSIONS = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageChannels;

const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;

const clampBound = (n: number) => Math.max(-SLASH_LIMITS.numberBound, Math.min(SLASH_LIMITS.numberBound, n));

/** Fixed choices only when Discord can list them all; otherwise suggestions as the user types. */
function usesAutocomplete(spec: OptionSpec): boolean {
  return spec.kind === 'choice' && (Boolean(spec.autocomplete) || spec.choices.length > SLASH_LIMITS.choices);
}

function optionJSON(name: string, spec: OptionSpec): APIApplicationCommandBasicOption {
  const base = { name, description: spec.description, required: Boolean(spec.required) };
  switch (spec.kind) {
    case 'number':
      return { ...base, type: ApplicationCommandOptionType.Number, min_value: clampBound(spec.min), max_value: clampBound(spec.max) };
    case 'integer':
      return { ...base, type: ApplicationCommandOptionType.Integer, min_value: clampBound(spec.min), max_value: clampBound(spec.max) };
    case 'choice':
      return usesAutocomplete(spec)
        ? { ...base, type: ApplicationCommandOptionType.String, autocomplete: true }
        : { ...base, type: ApplicationCommandOptionType.String, choices: spec.choices.map((c) => ({ name: c, value: c })) };
    case 'text':
      return { ...base, type: ApplicationCommandOptionType.String, max_length: spec.maxLength };
  }
}

/**
 * Where a command can be installed and used. Discord's application command object
 * (https://discord.com/developers/docs/interactions/application-commands#application-command-object)
 * takes `integration_types` (installation contexts, see
 * https://discord.com/developers/docs/resources/application#installation-context: 0 GUILD_INSTALL,
 * 1 USER_INSTALL) and `contexts` (0 GUILD, 1 BOT_DM, 2 PRIVATE_CHANNEL: group DMs and DMs between
 * users). Both apply to global commands only, so a guild-scoped set leaves them out.
 *
 * Everyday commands go everywhere a user can install the app: reading numbers needs no membership,
 * and the adapter refuses the few actions that do (a channel digest) where the bot is not a member.
 * Admin-only commands administer a server the bot is in, so they stay with the server install and
 * out of other people's DMs.
 */
function placement(command: Command): Pick<SlashCommandJSON, 'contexts' | 'integration_types'> {
  if (command.adminOnly) {
    return {
      integration_types: [ApplicationIntegrationType.GuildInstall],
      contexts: [InteractionContextType.Guild, InteractionContextType.BotDM],
    };
  }
  return {
    integration_types: [ApplicationIntegrationType.GuildInstall, ApplicationIntegrationType.UserInstall],
    contexts: [InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel],
  };
}

export type RegistrationScope = 'guild' | 'global';

export function buildSlashCommands(commands: readonly Command[], scope: RegistrationScope = 'global'): SlashCommandJSON[] {
  return commands.map((command) => {
    const options = Object.entries(command.options).map(([name, spec]) => optionJSON(name, spec));
    // Discord rejects an optional option before a required one; the sort is stable, so declaration
    // order survives within each group.
    options.sort((a, b) => Number(Boolean(b.required)) - Number(Boolean(a.required)));
    const json: SlashCommandJSON = {
      type: ApplicationCommandType.ChatInput,
      name: command.name,
      description: command.description,
      options,
      ...(scope === 'global' ? placement(command) : {}),
    };
    if (command.adminOnly) json.default_member_permissions = ADMIN_PERMISSIONS.toString();
    return json;
  });
}

/** Everything Discord would reject in this set, as readable lines (empty when valid). */
export function slashCommandProblems(set: readonly SlashCommandJSON[]): string[] {
  const problems: string[] = [];
  if (set.length > SLASH_LIMITS.commands) problems.push(`${set.length} commands; at most ${SLASH_LIMITS.commands}`);
  const names = new Set<string>();
  const checkName = (where: string, name: string) => {
    if (!NAME.test(name) || name !== name.toLowerCase())
      problems.push(`${where}: name "${name}" must be 1-32 lowercase letters, digits, - or _`);
  };
  const checkDescription = (where: string, d: string) => {
    if (d.length < 1 || d.length > SLASH_LIMITS.description)
      problems.push(`${where}: description is ${d.length} characters; 1-100 allowed`);
  };
  for (const cmd of set) {
    const where = `/${cmd.name}`;
    if (names.has(cmd.name)) problems.push(`${where}: duplicate command name`);
    names.add(cmd.name);
    checkName(where, cmd.name);
    checkDescription(where, cmd.description);
    let total = cmd.name.length + cmd.description.length;
    const options = (cmd.options ?? []) as APIApplicationCommandBasicOption[];
    if (options.length > SLASH_LIMITS.options) problems.push(`${where}: ${options.length} options; at most ${SLASH_LIMITS.options}`);
    const optionNames = new Set<string>();
    let seenOptional = false;
    for (const o of options) {
      const at = `${where} ${o.name}`;
      checkName(at, o.name);
      checkDescription(at, o.description);
      if (optionNames.has(o.name)) problems.push(`${at}: duplicate option name`);
      optionNames.add(o.name);
      if (o.required && seenOptional) problems.push(`${at}: required option after an optional one`);
      if (!o.required) seenOptional = true;
      total += o.name.length + o.description.length;
      if ('choices' in o && o.choices) {
        if (o.choices.length > SLASH_LIMITS.choices) problems.push(`${at}: ${o.choices.length} choices; at most ${SLASH_LIMITS.choices}`);
        if ('autocomplete' in o && o.autocomplete) problems.push(`${at}: choices and autocomplete together`);
        for (const c of o.choices) {
          const value = String(c.value);
          if (c.name.length < 1 || c.name.length > SLASH_LIMITS.choiceText || value.length > SLASH_LIMITS.choiceText)
            problems.push(`${at}: choice "${c.name}" name/value must be 1-100 characters`);
          total += c.name.length + value.length;
        }
      }
      if ('min_value' in o || 'max_value' in o) {
        const { min_value: min, max_value: max } = o as { min_value?: number; max_value?: number };
        for (const v of [min, max])
          if (v !== undefined && (!Number.isFinite(v) || Math.abs(v) > SLASH_LIMITS.numberBound))
            problems.push(`${at}: bound ${v} outside ±2^53`);
        if (min !== undefined && max !== undefined && min > max) problems.push(`${at}: min_value > max_value`);
      }
      if ('max_length' in o && o.max_length !== undefined && (o.max_length < 1 || o.max_length > SLASH_LIMITS.maxLength))
        problems.push(`${at}: max_length must be 1-6000`);
    }
    if (total > SLASH_LIMITS.totalChars)
      problems.push(`${where}: ${total} characters in names, descriptions and choices; at most ${SLASH_LIMITS.totalChars}`);
  }
  return problems;
}

/**
 * The parts of a command that matter for "is the registered set current?", with Discord's defaults
 * filled in, so a command read back from Discord (ids, versions, nulls) compares equal to ours.
 */
/** An option or command as JSON, ours or read back from Discord: only the fields compared here. */
type WireOption = {
  type?: number;
  name?: string;
  description?: string;
  required?: boolean;
  autocomplete?: boolean;
  choices?: { name: string; value: string | number }[];
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
};
type WireCommand = WireOption & {
  name: string;
  options?: WireOption[];
  default_member_permissions?: string | null;
  nsfw?: boolean;
  contexts?: number[] | null;
  integration_types?: number[];
};

function normaliseOption(o: WireOption): unknown {
  return {
    type: o.type,
    name: o.name,
    description: o.description,
    required: Boolean(o.required),
    autocomplete: Boolean(o.autocomplete),
    choices: o.choices?.length ? o.choices.map((c) => ({ name: c.name, value: c.value })) : null,
    min_value: o.min_value ?? null,
    max_value: o.max_value ?? null,
    min_length: o.min_length ?? null,
    max_length: o.max_length ?? null,
  };
}

/**
 * `scope` 'guild' leaves out contexts and integration_types: Discord ignores them on guild commands,
 * and whatever it echoes back for them must not make every restart look like a change.
 */
export function normaliseCommandSet(set: readonly unknown[], scope: RegistrationScope = 'global'): string {
  const normal = (set as WireCommand[])
    .map((c) => ({
      type: c.type ?? ApplicationCommandType.ChatInput,
      name: c.name,
      description: c.description,
      options: (c.options ?? []).map(normaliseOption),
      default_member_permissions: c.default_member_permissions ?? null,
      nsfw: Boolean(c.nsfw),
      ...(scope === 'global'
        ? {
            // Discord fills an omitted `contexts` with all three and `integration_types` with the
            // app's configured installs; ours always sends both, so a missing one read back differs.
            contexts: c.contexts ? [...c.contexts].sort() : null,
            integration_types: [...(c.integration_types ?? [ApplicationIntegrationType.GuildInstall])].sort(),
          }
        : {}),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return JSON.stringify(normal);
}
