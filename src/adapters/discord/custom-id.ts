/**
 * Button custom ids carry the command and its arguments, so a press can be answered by any
 * process without stored state: `hw1:<command>:<k=v&k=v>`. Discord caps custom ids at 100 characters;
 * the version prefix lets the format change without misreading old buttons still on screen.
 */
const PREFIX = 'hw1';
export const CUSTOM_ID_MAX = 100;
const COMMAND_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const ARG_NAME = /^[a-z][a-z0-9_]{0,31}$/;

export interface ButtonAction {
  command: string;
  args: Record<string, string>;
}

/** Undefined when the command name is not valid or the id would exceed 100 characters. */
export function encodeButtonId(command: string, args: Readonly<Record<string, string>>): string | undefined {
  if (!COMMAND_NAME.test(command)) return undefined;
  if (Object.keys(args).some((k) => !ARG_NAME.test(k))) return undefined;
  const id = `${PREFIX}:${command}:${new URLSearchParams(args).toString()}`;
  return id.length <= CUSTOM_ID_MAX ? id : undefined;
}

/** Undefined for anything this bot did not produce (or an older format), never a throw. */
export function decodeButtonId(customId: string): ButtonAction | undefined {
  if (customId.length > CUSTOM_ID_MAX) return undefined;
  const m = /^hw1:([^:]+):(.*)$/.exec(customId);
  if (!m || !COMMAND_NAME.test(m[1]!)) return undefined;
  const args: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(m[2]!)) {
    if (!ARG_NAME.test(k) || Object.hasOwn(args, k)) return undefined;
    args[k] = v;
  }
  return { command: m[1]!, args };
}
