/**
 * The contract between the outbox worker and the platform adapters that send what it holds. A send
 * never throws: it says whether to retry, give up, or move on. Where to send (Destination) is a
 * core type, since the store, the alert engine and /digest name destinations too.
 */
import type { DeliveryPlatform, Destination } from '../core/delivery.ts';
import type { Reply } from '../core/reply.ts';

export type SendResult =
  | {
      ok: true;
      messageIds: string[];
      /** Delivered, but the Telegram group had moved to this id: update the stored destination. */
      migratedTo?: string;
    }
  | {
      ok: false;
      /** Blocked, kicked, chat deleted, missing access: stop sending to this destination. */
      permanent: boolean;
      reason: string;
      /** The platform asked us to wait (429 retry_after), in ms. */
      retryAfterMs?: number;
      /** Telegram group upgraded to a supergroup: the same chat now lives at this id. */
      migratedTo?: string;
    };

export interface Sender {
  platform: DeliveryPlatform;
  send(destination: Destination, reply: Reply): Promise<SendResult>;
}
