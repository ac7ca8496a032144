/** Proactive posts (alerts, digests) for the outbox, through the same paced delivery as replies. */
import type { Sender } from '../../core/delivery.ts';
import type { TelegramDelivery } from './delivery.ts';

export function createTelegramSender(delivery: TelegramDelivery): Sender {
  return {
    platform: 'telegram',
    async send(destination, reply, options) {
      if (destination.platform !== 'telegram') {
        return { ok: false, permanent: true, reason: `not a Telegram destination (${destination.platform})` };
      }
      return delivery.send(destination.chatId, reply, undefined, options?.mayAct);
    },
  };
}
