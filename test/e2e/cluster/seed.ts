/**
 * What the cluster tests put in the database before (or while) the bots run, through the store's own
 * repositories, as the bot itself would have written it: Telegram users with one price alert each,
 * and daily digest schedules.
 */
import pg from 'pg';
import type { AlertState, Store } from '../../../src/store/index.ts';
import { DEFAULT_COOLDOWN_SEC, describeRule, type RuleSpec } from '../../../src/alerts/rules.ts';

/** One Telegram user (their DM chat id is their user id) and the rule that alerts them. */
export interface SeededAlert {
  chatId: number;
  ruleId: number;
}

/**
 * `count` users from firstChatId on, each with "BTC price above `above`". Each rule is stored armed
 * (it was added while the price was below the line, as `/alert add` would have stored it then), so the
 * first evaluation that sees the price above the line fires every one of them: one market move, one
 * alert per user.
 */
export async function seedPriceAlerts(store: Store, opts: { count: number; firstChatId: number; above: number }): Promise<SeededAlert[]> {
  const now = Date.now();
  const spec = JSON.stringify(priceAbove(opts.above));
  const armed: AlertState = { armed: true, episode: 0, lastFiredMs: null, memo: null };
  const seeded: SeededAlert[] = [];
  // One transaction: a thousand users in one commit instead of a thousand fsyncs.
  await store.transaction(async (tx) => {
    for (let i = 0; i < opts.count; i++) {
      const chatId = opts.firstChatId + i;
      const userId = await tx.users.ensure('telegram', String(chatId), `user${chatId}`, now);
      const ruleId = await tx.rules.insert({ userId, specJson: spec, cooldownSec: DEFAULT_COOLDOWN_SEC, createdMs: now }, armed);
      seeded.push({ chatId, ruleId });
    }
  });
  return seeded;
}

const priceAbove = (value: number): RuleSpec => ({ kind: 'threshold', metric: 'price', direction: 'above', value });

/** The alert's title as the user reads it (src/alerts/messages.ts), to recognise it in a chat. */
export const alertTitle = (ruleId: number, above: number) => `Alert #${ruleId}: ${describeRule(priceAbove(above))}`;

export interface DigestChat {
  chatId: number;
  kind: 'user' | 'channel';
}

/** Daily digests for these chats at `time` (HH:MM) in `timezone`. */
export async function seedDigests(store: Store, chats: readonly DigestChat[], time: string, timezone: string): Promise<void> {
  const now = Date.now();
  for (const { chatId, kind } of chats) {
    await store.schedules.upsert({
      platform: 'telegram',
      chatId: String(chatId),
      kind,
      time,
      timezone,
      createdBy: String(Math.abs(chatId)),
      lastDate: null,
      createdMs: now,
    });
  }
}

/** The UTC minute after the current one, as HH:MM: a digest due while the test runs. */
export function nextMinuteUtc(nowMs = Date.now()): string {
  const next = new Date(Math.floor(nowMs / 60_000) * 60_000 + 60_000);
  return `${String(next.getUTCHours()).padStart(2, '0')}:${String(next.getUTCMinutes()).padStart(2, '0')}`;
}

/**
 * The outbox rows leased for sending right now (status 'sending'), by idempotency key and chat. Read
 * with SQL, not through a repository, because no repository lists them: after a leader is killed
 * these are the rows it may have sent without recording it, the only ones another leader may send
 * again. Column names are the store's schema (src/store/migrations.ts), the same on both engines.
 */
export async function rowsInFlight(client: pg.Client): Promise<{ idemKey: string; chatId: string }[]> {
  const { rows } = await client.query<{ idem_key: string; chat_id: string }>(
    `SELECT idem_key, chat_id FROM outbox WHERE status = 'sending'`,
  );
  return rows.map((r) => ({ idemKey: r.idem_key, chatId: r.chat_id }));
}

/** The outbox by status, and when the earliest lease ends: what a failure message needs to say why rows wait. */
export async function outboxSummary(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ status: string; n: string; lease: string | null }>(
    `SELECT status, COUNT(*) AS n, MIN(lease_until_ms) AS lease FROM outbox GROUP BY status ORDER BY status`,
  );
  const now = Date.now();
  return rows
    .map((r) => `${r.status} ${r.n}${r.lease === null ? '' : ` (first lease ends in ${Math.round((Number(r.lease) - now) / 1000)} s)`}`)
    .join(', ');
}

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}
