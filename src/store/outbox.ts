/**
 * The delivery outbox. A message is written here in the same transaction as the decision that
 * caused it (an alert firing, a digest falling due), under a UNIQUE idempotency key, and leaves
 * only when a platform accepted it. Rows being sent carry a lease; once it has passed (the sender
 * died, or was cut off) the row is due again, so at most the in-flight rows are sent twice and
 * nothing is lost. Several instances may claim at once: none ever leases a row another holds.
 */
import { sql } from 'kysely';
import type { Destination } from '../core/delivery.ts';
import type { Reply } from '../core/reply.ts';
import { atomically, changed, chunks, type Db, type Engine, rowsPerStatement } from './dialect.ts';
import type { OutboxStatus } from './schema.ts';

export interface OutboxRow {
  id: number;
  idemKey: string;
  destination: Destination;
  reply: Reply;
  status: OutboxStatus;
  attempts: number;
  nextAttemptMs: number;
  lastError: string | null;
}

/** How far delivery is behind (readiness and metrics). */
interface OutboxBacklog {
  pending: number;
  sending: number;
  oldestPendingCreatedMs: number | undefined;
}

export interface OutboxRepo {
  /** False when the key is already there (the same episode or digest day was queued before). */
  enqueue(idemKey: string, destination: Destination, reply: Reply, nowMs: number): Promise<boolean>;
  /** Many messages in few statements (an evaluation pass); keys already queued are skipped. Returns how many were added. */
  enqueueMany(items: readonly { idemKey: string; destination: Destination; reply: Reply }[], nowMs: number): Promise<number>;
  /** Whether a message with this key was ever queued (whatever became of it). */
  has(idemKey: string): Promise<boolean>;
  /**
   * Leases up to `limit` due rows for these platforms (status → sending, attempts + 1): pending rows
   * whose time has come, and rows whose lease has passed (their sender is gone).
   */
  claim(nowMs: number, leaseMs: number, limit: number, platforms: readonly string[]): Promise<OutboxRow[]>;
  markSent(id: number, nowMs: number): Promise<void>;
  retryAt(id: number, nextAttemptMs: number, error: string): Promise<void>;
  /** Back to pending without counting the attempt (rate limited, or the chat moved). */
  deferTo(id: number, nextAttemptMs: number, note: string): Promise<void>;
  fail(id: number, error: string): Promise<void>;
  /** A destination is gone: its other unsent rows fail too instead of retrying forever. */
  failPendingFor(platform: string, chatId: string, error: string): Promise<number>;
  /** The chat moved (Telegram supergroup): unsent rows follow it. */
  redirect(platform: string, fromChatId: string, toChatId: string): Promise<number>;
  /**
   * Start-up: rows whose lease has passed are pending again. Only those: a row leased by another
   * instance that is still alive stays with it.
   */
  releaseExpiredLeases(nowMs: number): Promise<number>;
  nextDueMs(): Promise<number | undefined>;
  /** The earliest pending row per platform. */
  nextDueByPlatform(): Promise<Map<string, number>>;
  counts(): Promise<Record<OutboxStatus, number>>;
  backlog(): Promise<OutboxBacklog>;
}

/** JSON cannot hold a Buffer compactly: charts travel as base64. */
function encodeReply(reply: Reply): string {
  const { chart, ...rest } = reply;
  return JSON.stringify(chart ? { ...rest, chart: { ...chart, png: chart.png.toString('base64') } } : rest);
}

function decodeReply(payload: string): Reply {
  const parsed = JSON.parse(payload) as Reply & { chart?: { png: string } };
  if (parsed.chart) return { ...parsed, chart: { ...parsed.chart, png: Buffer.from(parsed.chart.png, 'base64') } };
  return parsed as Reply;
}

interface Raw {
  id: number;
  idem_key: string;
  platform: string;
  chat_id: string;
  dest_kind: string;
  payload: string;
  status: OutboxStatus;
  attempts: number;
  next_attempt_ms: number;
  last_error: string | null;
}

function toRow(r: Raw): OutboxRow {
  return {
    id: r.id,
    idemKey: r.idem_key,
    destination: {
      platform: r.platform as Destination['platform'],
      chatId: r.chat_id,
      kind: r.dest_kind as Destination['kind'],
    },
    reply: decodeReply(r.payload),
    status: r.status,
    attempts: r.attempts,
    nextAttemptMs: r.next_attempt_ms,
    lastError: r.last_error,
  };
}

const RETURNED = [
  'id',
  'idem_key',
  'platform',
  'chat_id',
  'dest_kind',
  'payload',
  'status',
  'attempts',
  'next_attempt_ms',
  'last_error',
] as const;

export function outboxRepo(db: Db, engine: Engine): OutboxRepo {
  const perStatement = rowsPerStatement(engine, 7);
  const insert = (q: Db, rows: { idemKey: string; destination: Destination; reply: Reply }[], nowMs: number) =>
    q
      .insertInto('outbox')
      .values(
        rows.map(({ idemKey, destination: d, reply }) => ({
          idem_key: idemKey,
          platform: d.platform,
          chat_id: d.chatId,
          dest_kind: d.kind,
          payload: encodeReply(reply),
          next_attempt_ms: nowMs,
          created_ms: nowMs,
        })),
      )
      .onConflict((oc) => oc.column('idem_key').doNothing())
      .executeTakeFirst()
      .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0n));
  const byId = (id: number) => db.updateTable('outbox').where('id', '=', id);
  const due = (nowMs: number, limit: number, platforms: readonly string[]) =>
    db
      .selectFrom('outbox')
      .select('id')
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('next_attempt_ms', '<=', nowMs)]),
          eb.and([eb('status', '=', 'sending'), eb('lease_until_ms', '<=', nowMs)]),
        ]),
      )
      .where('platform', 'in', [...platforms])
      .orderBy('next_attempt_ms')
      .orderBy('id')
      .limit(limit)
      // PostgreSQL: the rows picked are locked by this statement and skipped by every other
      // instance's, so two claims never lease one row. (SQLite has one writer at a time anyway,
      // and no FOR UPDATE.) A row changed meanwhile is re-checked against the WHERE, not taken blind.
      .$if(engine === 'postgres', (q) => q.forUpdate().skipLocked());

  return {
    enqueue: async (key, destination, reply, nowMs) => (await insert(db, [{ idemKey: key, destination, reply }], nowMs)) > 0,
    async enqueueMany(items, nowMs) {
      if (items.length === 0) return 0;
      if (items.length <= perStatement) return insert(db, [...items], nowMs);
      return atomically(db, async (tx) => {
        let added = 0;
        for (const part of chunks(items, perStatement)) added += await insert(tx, [...part], nowMs);
        return added;
      });
    },
    has: async (key) => (await db.selectFrom('outbox').select('id').where('idem_key', '=', key).executeTakeFirst()) !== undefined,
    async claim(nowMs, leaseMs, limit, platforms) {
      if (platforms.length === 0 || limit <= 0) return [];
      const rows = (await db
        .updateTable('outbox')
        .set((eb) => ({ status: 'sending', lease_until_ms: nowMs + leaseMs, attempts: eb('attempts', '+', 1) }))
        .where('id', 'in', due(nowMs, limit, platforms))
        .returning([...RETURNED])
        .execute()) as Raw[];
      return rows.map(toRow).sort((a, b) => a.id - b.id);
    },
    markSent: async (id, nowMs) => {
      await byId(id).set({ status: 'sent', sent_ms: nowMs, lease_until_ms: null }).execute();
    },
    retryAt: async (id, at, error) => {
      await byId(id).set({ status: 'pending', next_attempt_ms: at, last_error: error, lease_until_ms: null }).execute();
    },
    deferTo: async (id, at, note) => {
      await byId(id)
        .set({
          status: 'pending',
          next_attempt_ms: at,
          last_error: note,
          attempts: sql`CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END`,
          lease_until_ms: null,
        })
        .execute();
    },
    fail: async (id, error) => {
      await byId(id).set({ status: 'failed', last_error: error, lease_until_ms: null }).execute();
    },
    failPendingFor: async (platform, chatId, error) =>
      changed(
        await db
          .updateTable('outbox')
          .set({ status: 'failed', last_error: error })
          .where('platform', '=', platform)
          .where('chat_id', '=', chatId)
          .where('status', '=', 'pending')
          .executeTakeFirst(),
      ),
    redirect: async (platform, from, to) =>
      changed(
        await db
          .updateTable('outbox')
          .set({ chat_id: to })
          .where('platform', '=', platform)
          .where('chat_id', '=', from)
          .where('status', 'in', ['pending', 'sending'])
          .executeTakeFirst(),
      ),
    releaseExpiredLeases: async (nowMs) =>
      changed(
        await db
          .updateTable('outbox')
          .set({ status: 'pending', lease_until_ms: null })
          .where('status', '=', 'sending')
          .where('lease_until_ms', '<=', nowMs)
          .executeTakeFirst(),
      ),
    nextDueMs: async () =>
      (
        await db
          .selectFrom('outbox')
          .select(sql<number | null>`MIN(next_attempt_ms)`.as('t'))
          .where('status', '=', 'pending')
          .executeTakeFirst()
      )?.t ?? undefined,
    nextDueByPlatform: async () =>
      new Map(
        (
          await db
            .selectFrom('outbox')
            .select(['platform', sql<number>`MIN(next_attempt_ms)`.as('t')])
            .where('status', '=', 'pending')
            .groupBy('platform')
            .execute()
        ).map((r) => [r.platform, Number(r.t)]),
      ),
    async counts() {
      const out: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
      const rows = await db
        .selectFrom('outbox')
        .select(['status', sql<number>`COUNT(*)`.as('n')])
        .groupBy('status')
        .execute();
      for (const { status, n } of rows) out[status] = Number(n);
      return out;
    },
    async backlog() {
      const row = await db
        .selectFrom('outbox')
        .select([
          sql<number>`COUNT(CASE WHEN status = 'pending' THEN 1 END)`.as('pending'),
          sql<number>`COUNT(CASE WHEN status = 'sending' THEN 1 END)`.as('sending'),
          sql<number | null>`MIN(CASE WHEN status = 'pending' THEN created_ms END)`.as('oldest'),
        ])
        .where('status', 'in', ['pending', 'sending'])
        .executeTakeFirstOrThrow();
      return { pending: Number(row.pending), sending: Number(row.sending), oldestPendingCreatedMs: row.oldest ?? undefined };
    },
  };
}
