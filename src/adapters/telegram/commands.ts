/** Commands on Telegram: recognising one in a message ("/cmd@BotName" in groups too), and the clients' command menu. */
import type { Command } from '../../core/command.ts';

export interface ParsedCommand {
  name: string;
  /** Text after the command, for tokenize/splitArgs. */
  rest: string;
  /** True when written as /cmd@ThisBot. */
  addressed: boolean;
}

const COMMAND = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?=\s|$)/;

/**
 * Returns undefined for text that is not a command, and for commands addressed to another bot
 * (several bots often share a group; only the named one should answer).
 */
export function parseCommand(text: string, botUsername: string): ParsedCommand | undefined {
  const m = COMMAND.exec(text);
  if (!m) return undefined;
  const target = m[2];
  if (target && target.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { name: m[1]!.toLowerCase(), rest: text.slice(m[0].length).trim(), addressed: target !== undefined };
}

/** The command menu clients show (setMyCommands: names of 1-32 [a-z0-9_], descriptions up to 256, at most 100). */
export function commandMenu(commands: readonly Command[]): { command: string; description: string }[] {
  return commands
    .filter((c) => /^[a-z0-9_]{1,32}$/.test(c.name) && c.description.trim() !== '')
    .map((c) => ({ command: c.name, description: c.description.slice(0, 256) }))
    .slice(0, 100);
}
