/**
 * Alerts and digests for the terminal user: printed above the prompt, so alerts can be tried
 * locally before creating a Discord or Telegram app.
 */
import type { Sender } from '../../core/delivery.ts';
import { renderText } from './format.ts';

export function consoleSender(output: NodeJS.WritableStream = process.stdout): Sender {
  return {
    platform: 'console',
    async send(_destination, reply) {
      output.write(`\n${renderText(reply)}\n\n`);
      return { ok: true, messageIds: [] };
    },
  };
}

/** The one person at the terminal. */
export const CONSOLE_USER = { platform: 'console', id: 'local', name: 'terminal' } as const;
