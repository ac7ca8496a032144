/**
 * The single entry every adapter uses to run a command: look it up, validate options, run it,
 * and turn any failure into a Reply. It never throws, so no adapter can crash on a command.
 */
import type { Logger } from 'pino';
import { parseOptions, type Command, type CommandContext } from './command.ts';
import { errorReply, type Reply } from './reply.ts';
import { closest } from './suggest.ts';
import { UpstreamError } from '../sources/types.ts';

const commandName = (typed: string) => typed.trim().replace(/^\//, '').toLowerCase();

export function findCommand(commands: readonly Command[], name: string): Command | undefined {
  const wanted = commandName(name);
  return commands.find((c) => c.name === wanted);
}

/** The command a mistyped name most likely meant ("hashprise" → hashprice), or undefined. */
export function suggestCommand(commands: readonly Command[], name: string): Command | undefined {
  const near = closest(commandName(name), commands.map((c) => c.name));
  return commands.find((c) => c.name === near);
}

/** "There is no /hashprise — did you mean /hashprice?" with the command list, for chats and help. */
export function unknownCommandText(commands: readonly Command[], name: string): string {
  const bare = name.trim().replace(/^\//, '');
  const shown = bare.length > 32 ? `${bare.slice(0, 31)}…` : bare;
  const near = suggestCommand(commands, name);
  const guess = near ? ` — did you mean /${near.name}?` : '.';
  return `There is no /${shown}${guess} Commands: ${commands.map((c) => `/${c.name}`).join(', ')}`;
}

export async function runCommand(
  commands: readonly Command[],
  name: string,
  raw: Record<string, unknown>,
  ctx: CommandContext,
  log?: Logger,
): Promise<Reply> {
  const command = findCommand(commands, name);
  if (!command) {
    return errorReply('Unknown command', unknownCommandText(commands, name));
  }
  const parsed = parseOptions(command, raw);
  if (!parsed.ok) {
    const reply = errorReply(`/${command.name}: check the options`, parsed.message);
    reply.lines = [...parsed.message.split('\n'), `Example: ${command.examples[0] ?? `/${command.name}`}`];
    return reply;
  }
  try {
    return await command.run(ctx, parsed.args);
  } catch (err) {
    if (err instanceof UpstreamError) {
      log?.warn({ command: command.name, resource: err.resource, err: err.message }, 'upstream unavailable');
      return errorReply(`/${command.name}: data unavailable`, err.message);
    }
    log?.error({ command: command.name, err }, 'command failed');
    return errorReply(
      `/${command.name} failed`,
      'Something went wrong on our side while building this answer. It has been logged; please try again in a minute.',
    );
  }
}
