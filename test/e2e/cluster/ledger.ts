/**
 * Reads what the Telegram stand-in recorded as deliveries: per chat, the alerts and digests it got,
 * and through which entrance (which bot process) each came.
 */
import type { SentMessage } from '../../fakes/telegram.ts';
import { alertTitle, type SeededAlert } from './seed.ts';

/** The digest's title starts so (src/core/digest.ts), whatever the date after it. */
const DIGEST_TITLE = 'Mining digest ·';

export interface AlertLedger {
  /** Alert messages each seeded chat received (its own rule's title), in order. */
  byChat: Map<number, SentMessage[]>;
  /** Chats that have not received their alert. */
  missing: number[];
  /** Chats that received their alert more than once, with how many times. */
  repeated: Map<number, number>;
  /** Alert messages a seeded chat received that were not about its own rule. */
  foreign: SentMessage[];
  /** Messages delivered as alerts in all (repeats included). */
  delivered: number;
}

export function alertLedger(sent: readonly SentMessage[], seeded: readonly SeededAlert[], above: number): AlertLedger {
  const titles = new Map(seeded.map((s) => [s.chatId, alertTitle(s.ruleId, above)]));
  const byChat = new Map<number, SentMessage[]>(seeded.map((s) => [s.chatId, []]));
  const foreign: SentMessage[] = [];
  let delivered = 0;
  for (const m of sent) {
    const title = titles.get(m.chat_id);
    if (title === undefined) continue;
    if (m.plain.startsWith(title)) {
      byChat.get(m.chat_id)!.push(m);
      delivered++;
    } else if (m.plain.startsWith('Alert #')) foreign.push(m);
  }
  const missing = [...byChat].filter(([, got]) => got.length === 0).map(([chat]) => chat);
  const repeated = new Map([...byChat].filter(([, got]) => got.length > 1).map(([chat, got]) => [chat, got.length]));
  return { byChat, missing, repeated, foreign, delivered };
}

/** How many alerts of these chats have arrived so far (cheap enough to poll). */
export function alertsDelivered(sent: readonly SentMessage[], seeded: readonly SeededAlert[], above: number): number {
  return alertLedger(sent, seeded, above).delivered;
}

/**
 * Digests posted to each of these chats. A digest with a chart is a photo whose caption is either
 * the whole digest or its title, in which case the text follows in a message that starts with the
 * title again (src/adapters/telegram/delivery.ts): one digest is at most one photo and one text
 * message carrying the title, so the larger of the two counts is the number of digests.
 */
export function digestsByChat(sent: readonly SentMessage[], chats: readonly number[]): Map<number, number> {
  const photos = new Map(chats.map((c) => [c, 0]));
  const texts = new Map(chats.map((c) => [c, 0]));
  for (const m of sent) {
    if (!photos.has(m.chat_id) || !m.plain.startsWith(DIGEST_TITLE)) continue;
    const counts = m.method === 'sendPhoto' ? photos : texts;
    counts.set(m.chat_id, counts.get(m.chat_id)! + 1);
  }
  return new Map(chats.map((c) => [c, Math.max(photos.get(c)!, texts.get(c)!)]));
}

/** "a 336, b 664": messages sent through each entrance, for a summary line. */
export function byProcess(sent: readonly SentMessage[]): string {
  const counts = new Map<string, number>();
  for (const m of sent) counts.set(m.via ?? 'apiRoot', (counts.get(m.via ?? 'apiRoot') ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([via, n]) => `${via} ${n}`)
    .join(', ');
}
