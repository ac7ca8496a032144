/**
 * The delivery outbox. A message is written here in the same transaction as the decision that
 * caused it (an alert firing, a digest falling due), under a UNIQUE idempotency key, and leaves
 * only when a platform accepted it. Rows being sent carry a lease; after a crash they go back to
 * pending, so at most the in-flight rows are sent twice and nothing is lost.
 */
import type { Database } from 'better-sqlite3';
import type { Sync } from './interim.ts';
import type { Destination } from '../core/delivery.ts';
import type { Reply } from '../core/reply.ts';

type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed';

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

export interface OutboxRepo {
  /** False when the key is already there (the same episode or digest day was queued before). */
  enqueue(idemKey: string, destination: Destination, reply: Reply, nowMs: number): Promise<boolean>;
  /** Many messages in one statement (an evaluation pass); keys already queued are skipped. Returns how many were added. */
  enqueueMany(items: readonly { idemKey: string; destination: Destination; reply: Reply }[], nowMs: number): Promise<number>;
  /** Whether a message with this key was ever queued (whatever became of it). */
  has(idemKey: string): Promise<boolean>;
  /** Leases up to `limit` due rows for these platforms (status → sending, attempts + 1). */
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
  /** Start-up: rows leased by a process that died are due again. */
  releaseLeases(): Promise<number>;
  nextDueMs(): Promise<number | undefined>;
  /** The earliest pending row per platform. */
  nextDueByPlatform(): Promise<Map<string, number>>;
  counts(): Promise<Record<OutboxStatus, number>>;
}

interface Raw {
  id: number;
  idemKey: string;
  platform: Destination['platform'];
  chatId: string;
  destKind: Destination['kind'];
  payload: string;
  status: OutboxStatus;
  attempts: number;
  nextAttemptMs: number;
  lastError: string | null;
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

const COLUMNS = `id, idem_key AS idemKey, platform, chat_id AS chatId, dest_kind AS destKind, payload, status, attempts,
  next_attempt_ms AS nextAttemptMs, last_error AS lastError`;

function toRow(r: Raw): OutboxRow {
  return {
    id: r.id,
    idemKey: r.idemKey,
    destination: { platform: r.platform, chatId: r.chatId, kind: r.destKind },
    reply: decodeReply(r.payload),
    status: r.status,
    attempts: r.attempts,
    nextAttemptMs: r.nextAttemptMs,
    lastError: r.lastError,
  };
}

export function outboxRepo(db: Database): Sync<OutboxRepo> {
  const insert = db.prepare(
    `INSERT INTO outbox (idem_key, platform, chat_id, dest_kind, payload, next_attempt_ms, created_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
  );
  const insertMany = db.prepare(
    `INSERT INTO outbox (idem_key, platform, chat_id, dest_kind, payload, next_attempt_ms, created_ms)
     SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, @now, @now FROM json_each(@rows) WHERE true
     ON CONFLICT (idem_key) DO NOTHING`,
  );
  const has = db.prepare('SELECT 1 FROM outbox WHERE idem_key = ?').pluck();
  const claim = db.prepare(
    `UPDATE outbox SET status = 'sending', lease_until_ms = @lease, attempts = attempts + 1
     WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_ms <= @now
                  AND platform IN (SELECT value FROM json_each(@platforms)) ORDER BY next_attempt_ms, id LIMIT @limit)
     RETURNING ${COLUMNS}`,
  );
  const sent = db.prepare(`UPDATE outbox SET status = 'sent', sent_ms = ?, lease_until_ms = NULL WHERE id = ?`);
  const retry = db.prepare(`UPDATE outbox SET status = 'pending', next_attempt_ms = ?, last_error = ?, lease_until_ms = NULL WHERE id = ?`);
  const defer = db.prepare(
    `UPDATE outbox SET status = 'pending', next_attempt_ms = ?, last_error = ?, attempts = MAX(attempts - 1, 0), lease_until_ms = NULL WHERE id = ?`,
  );
  const fail = db.prepare(`UPDATE outbox SET status = 'failed', last_error = ?, lease_until_ms = NULL WHERE id = ?`);
  const failFor = db.prepare(
    `UPDATE outbox SET status = 'failed', last_error = ? WHERE platform = ? AND chat_id = ? AND status = 'pending'`,
  );
  const redirect = db.prepare(`UPDATE outbox SET chat_id = ? WHERE platform = ? AND chat_id = ? AND status IN ('pending', 'sending')`);
  const release = db.prepare(`UPDATE outbox SET status = 'pending', lease_until_ms = NULL WHERE status = 'sending'`);
  const nextDue = db.prepare(`SELECT MIN(next_attempt_ms) AS t FROM outbox WHERE status = 'pending'`);
  const counts = db.prepare('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status');
  const dueBy = db.prepare(`SELECT platform, MIN(next_attempt_ms) AS t FROM outbox WHERE status = 'pending' GROUP BY platform`);
  return {
    enqueue: (key, d, reply, nowMs) => insert.run(key, d.platform, d.chatId, d.kind, encodeReply(reply), nowMs, nowMs).changes > 0,
    enqueueMany: (items, nowMs) => {
      if (items.length === 0) return 0;
      const rows = items.map(({ idemKey, destination: d, reply }) => [idemKey, d.platform, d.chatId, d.kind, encodeReply(reply)]);
      return insertMany.run({ rows: JSON.stringify(rows), now: nowMs }).changes;
    },
    has: (key) => has.get(key) !== undefined,
    claim: (nowMs, leaseMs, limit, platforms) =>
      (claim.all({ now: nowMs, lease: nowMs + leaseMs, limit, platforms: JSON.stringify(platforms) }) as Raw[])
        .map(toRow)
        .sort((a, b) => a.id - b.id),
    markSent: (id, nowMs) => void sent.run(nowMs, id),
    retryAt: (id, at, error) => void retry.run(at, error, id),
    deferTo: (id, at, note) => void defer.run(at, note, id),
    fail: (id, error) => void fail.run(error, id),
    failPendingFor: (platform, chatId, error) => failFor.run(error, platform, chatId).changes,
    redirect: (platform, from, to) => redirect.run(to, platform, from).changes,
    releaseLeases: () => release.run().changes,
    nextDueMs: () => (nextDue.get() as { t: number | null }).t ?? undefined,
    nextDueByPlatform: () => new Map((dueBy.all() as { platform: string; t: number }[]).map((r) => [r.platform, r.t])),
    counts: () => {
      const out: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0 };
      for (const { status, n } of counts.all() as { status: OutboxStatus; n: number }[]) out[status] = n;
      return out;
    },
  };
}
