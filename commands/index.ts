import type { Command } from '../src/core/command.ts';

/** Every user command, in the order help lists them. */
export const commands: Command[] = [];
