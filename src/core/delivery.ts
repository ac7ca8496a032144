/**
 * Where alerts and digests go, and the contract between the outbox worker (src/delivery) and the
 * platform adapters that send what it holds. The store, the alert engine and /digest name
 * destinations; a platform adapter (core/platform.ts) brings a Sender. A send never throws: it says
 * whether to retry, give up, or move on.
 */
import type { Reply } from './reply.ts';

export type DeliveryPlatform = 'discord' | 'telegram' | 'console';

export interface Destination {
  platform: DeliveryPlatform;
  /** Telegram chat id; Discord channel id, or user id when `kind` is 'user' (sent by DM). */
  chatId: string;
  kind: 'user' | 'channel';
}

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

export interface SendOptions {
  /**
   * Asked right before each platform call, after any wait for a sending slot: false (this instance
   * stopped leading while the message waited) sends nothing more and answers a failure.
   */
  mayAct?: () => boolean;
}

export interface Sender {
  platform: DeliveryPlatform;
  send(destination: Destination, reply: Reply, options?: SendOptions): Promise<SendResult>;
}
