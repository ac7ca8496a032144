/** /help: which commands there are, or how one of them is used (options and examples). */
import { defineCommand, describeAccepted, type Command } from '../src/core/command.ts';
import { unknownCommandText } from '../src/core/run.ts';
import type { Field } from '../src/core/reply.ts';

/** Built from the live registry so help can never drift from the commands that exist. */
export function helpCommand(all: () => readonly Command[]) {
  return defineCommand({
    name: 'help',
    description: 'List the commands, or explain one of them with its options and examples',
    options: {
      command: { kind: 'text', maxLength: 40, example: 'hashprice', description: 'A command to explain, e.g. hashprice' },
    },
    examples: ['/help', '/help profit'],
    async run(_ctx, args) {
      const commands = all();
      if (args.command) {
        const name = args.command.trim().replace(/^\//, '').toLowerCase();
        const c = commands.find((x) => x.name === name);
        if (!c) {
          return {
            title: 'Help',
            lines: [unknownCommandText(commands, name.slice(0, 40))],
            sections: [],
            footer: [],
            tone: 'error',
            ephemeral: true,
          };
        }
        const fields: Field[] = Object.entries(c.options).map(([opt, spec]) => ({
          label: `${opt}${spec.required ? ' (required)' : ''}`,
          value: `${spec.description}. ${describeAccepted(opt, spec)}.`,
        }));
        return {
          title: `/${c.name}`,
          lines: [c.description, `Examples: ${c.examples.join('  ·  ')}`],
          sections: fields.length ? [{ title: 'Options', fields }] : [],
          // Option syntax only where there are options to give.
          footer: fields.length ? ['Options go as name=value, or as plain words in the order listed.'] : [],
          tone: 'neutral',
        };
      }
      return {
        title: 'hashwatch commands',
        lines: [
          'Bitcoin mining numbers: hashprice, hashrate, difficulty, fees, pools and profit. Every figure says where it came from and how fresh it is.',
        ],
        sections: [{ fields: commands.map((c) => ({ label: `/${c.name}`, value: c.description })) }],
        footer: ['/help <command> explains a command, e.g. /help profit'],
        tone: 'neutral',
        data: { commands: commands.map((c) => c.name) },
      };
    },
  });
}
