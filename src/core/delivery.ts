/**
 * Where alerts and digests go. The store, the alert engine and /digest name destinations; how a
 * message reaches one is the sender contract in src/delivery/sender.ts.
 */

export type DeliveryPlatform = 'discord' | 'telegram' | 'console';

export interface Destination {
  platform: DeliveryPlatform;
  /** Telegram chat id; Discord channel id, or user id when `kind` is 'user' (sent by DM). */
  chatId: string;
  kind: 'user' | 'channel';
}
