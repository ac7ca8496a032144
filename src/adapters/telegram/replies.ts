/** The adapter's own answers on Telegram: the /start greeting, a dead button, a flooding chat. */
import type { Command } from '../../core/command.ts';
import type { Reply } from '../../core/reply.ts';

export const STALE_BUTTON = 'This button no longer works. Send the command again (see /help).';

export const SLOW_DOWN: Reply = {
  title: 'Slow down, please',
  lines: ['Too many commands at once in this chat: I answer the first few and skip the rest. Send one at a time.'],
  sections: [],
  footer: [],
  tone: 'neutral',
};

export function startReply(commands: readonly Command[], version: string): Reply {
  const shown = commands
    .slice(0, 6)
    .map((c) => `/${c.name}`)
    .join(', ');
  return {
    title: 'Welcome to hashwatch',
    lines: [
      'I report Bitcoin mining economics: hashprice (what a petahash earns per day), hashrate, difficulty, fees, pools and profitability.',
      'Every figure says where it came from and how fresh it is. Works here and in groups.',
      `Try ${shown}, or /help for every command.`,
    ],
    sections: [],
    footer: [`hashwatch ${version}`],
    tone: 'neutral',
  };
}
