import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { runCommand } from '../../src/core/run.ts';
import { loadHeadline } from '../../src/market-data/headline.ts';
import { startBackground } from '../../src/background.ts';
import { createMarket } from '../../src/sources/index.ts';
import { openStore, type Store, type StoreRepos } from '../../src/store/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { TIP_TIME_SEC } from '../fakes/world.ts';

/**
 * Issue 10 item 1: the 10-minute live-snapshot write threw SQLITE_FULL into a promise nobody
 * awaited, and Node ended the process. A failed background write must be logged and retried (the
 * live rows are now written by the alert poll, issue 11).
 */
let fake: FakeMempool;
beforeAll(async () => {
  fake = await startFakeMempool();
});
afterAll(async () => {
  await fake.close();
});

/** A logger whose lines land in an array, to wait for and inspect. */
function recordingLogger() {
  const lines: { msg: string; code?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** Applies `patch` to the repositories of every transaction the store opens from now on (a pass writes through those). */
function insideTransactions(store: Store, patch: (tx: StoreRepos) => void): void {
  const original = store.transaction.bind(store);
  store.transaction = (fn) =>
    original((tx) => {
      patch(tx);
      return fn(tx);
    });
}

const market = () => createMarket({ config: loadConfig({ ...fake.env, HTTP_TIMEOUT_MS: '2000' }), logger: pino({ level: 'silent' }) });

describe('background snapshot writes that fail', () => {
  it('are logged and retried on the next poll, never fatal (injected SQLITE_FULL)', async () => {
    // The live rows are written by the alert poll (src/market-data/recorder.ts), in the pass's transaction.
    const { logger, lines } = recordingLogger();
    const store = openStore(':memory:');
    let full = true;
    const written: unknown[] = [];
    const failing = (repos: StoreRepos) => {
      const upsertMany = repos.snapshots.upsertMany;
      repos.snapshots.upsertMany = async (rows) => {
        if (full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        written.push(...rows);
        await upsertMany(rows);
      };
    };
    failing(store);
    insideTransactions(store, failing);
    const now = (TIP_TIME_SEC + 7 * 60) * 1000;
    const runtime = await startBackground({
      config: { MAX_ALERTS_PER_USER: 25, DIGEST_DEFAULT_TIME: '14:00', POLL_INTERVAL_SEC: 60 },
      logger,
      store,
      market: market(),
      senders: [],
      loadHeadline,
      buildDigest: async () => ({ title: 'd', sections: [], footer: [], tone: 'neutral' as const }),
      now: () => now,
      timers: false,
    });
    try {
      await runtime.pollOnce();
      await runtime.pollOnce();
      const failed = lines.filter((l) => l.msg === 'alerts: poll failed; next poll retries');
      expect(failed).toHaveLength(2);
      expect((failed[0] as { err?: string }).err).toBe('database or disk is full');
      expect(written).toHaveLength(0);
      full = false;
      await runtime.pollOnce();
      expect(written.length).toBeGreaterThan(0);
      expect((await store.snapshots.latest('price_usd'))?.value).toBe(69880);
    } finally {
      await runtime.stop();
      await store.close();
    }
  });

  it('a digest that cannot be queued at start-up is logged and retried, and does not stop the bot starting', async () => {
    const { logger, lines } = recordingLogger();
    const store = openStore(':memory:');
    const now = Date.UTC(2025, 3, 1, 15); // 15:00 UTC, after the 14:00 digest
    await store.schedules.upsert({
      platform: 'console',
      chatId: 'local',
      kind: 'user',
      time: '14:00',
      timezone: 'UTC',
      createdBy: 'local',
      lastDate: null,
      createdMs: now - 86_400_000,
    });
    const full = (repos: StoreRepos) => {
      repos.outbox.enqueue = () => Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    };
    full(store);
    insideTransactions(store, full);
    const digest = { title: 'Daily digest', sections: [], footer: [], tone: 'neutral' as const };
    const runtime = await startBackground({
      config: { MAX_ALERTS_PER_USER: 25, DIGEST_DEFAULT_TIME: '14:00', POLL_INTERVAL_SEC: 60 },
      logger,
      store,
      market: market(),
      senders: [],
      loadHeadline: () => Promise.reject(new Error('not used')),
      buildDigest: async () => digest,
      now: () => now,
      timers: false,
    });
    expect(lines.find((l) => l.code === 'SQLITE_FULL')!.msg).toBe('digest check failed; the next run retries');
    expect((await store.schedules.active())[0]!.lastDate).toBeNull(); // not marked sent: the next minute tries again
    await runtime.stop();
    await store.close();
  });

  const root = process.getuid?.() === 0;

  it.skipIf(!root)('a start on a disk already full stops with one line saying so, not "disk I/O error"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hashwatch-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    } catch (err) {
      console.log(`full-disk test skipped: cannot mount tmpfs (${(err as Error).message.split('\n')[0]})`);
      rmSync(dir, { recursive: true, force: true });
      return;
    }
    try {
      const db = join(dir, 'bot.db');
      await openStore(db).close();
      try {
        writeFileSync(join(dir, 'filler'), Buffer.alloc(2 * 1024 * 1024));
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
      }
      const r = spawnSync(process.execPath, ['bin/hashwatch.js'], {
        env: { PATH: process.env.PATH, ...fake.env, DATABASE_PATH: db },
        input: '',
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(`^hashwatch: DATABASE_PATH ${db}: the disk holding it is full \\(\\d+ KiB free\\); free some space and start again\n$`),
      );
    } finally {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (!root) console.log('full-disk test skipped: mounting a small tmpfs needs root (the injected-failure test still runs)');
  it.skipIf(!root)(
    'survive a real full disk (1 MiB tmpfs): reads and commands keep answering, writes resume when space returns',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hashwatch-full-'));
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
      } catch (err) {
        console.log(`full-disk test skipped: cannot mount tmpfs (${(err as Error).message.split('\n')[0]})`);
        rmSync(dir, { recursive: true, force: true });
        return;
      }
      const { logger, lines } = recordingLogger();
      const store = openStore(join(dir, 'bot.db'));
      const filler = join(dir, 'filler');
      let stop = () => {};
      try {
        try {
          writeFileSync(filler, Buffer.alloc(2 * 1024 * 1024));
        } catch (err) {
          expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
        }
        const m = market();
        const now = (TIP_TIME_SEC + 7 * 60) * 1000;
        const runtime = await startBackground({
          config: { MAX_ALERTS_PER_USER: 25, DIGEST_DEFAULT_TIME: '14:00', POLL_INTERVAL_SEC: 60 },
          logger,
          store,
          market: m,
          senders: [],
          loadHeadline,
          buildDigest: async () => ({ title: 'd', sections: [], footer: [], tone: 'neutral' as const }),
          now: () => now,
          timers: false,
        });
        stop = () => void runtime.stop();
        await runtime.pollOnce();
        await runtime.pollOnce();
        expect(lines.filter((l) => l.msg === 'alerts: poll failed; next poll retries').length).toBeGreaterThanOrEqual(2);
        // Reading the store and answering a command need no write.
        expect(await store.snapshots.latest('price_usd')).toBeUndefined();
        const reply = await runCommand(
          commands,
          'hashprice',
          {},
          { market: m, now: Date.now, platform: 'console', version: 'test', services: { historyStore: store.snapshots } },
        );
        expect(reply.tone).not.toBe('error');
        expect(reply.sections[0]!.fields[0]!.value).toBe('$38.86');
        rmSync(filler);
        await runtime.pollOnce();
        expect((await store.snapshots.latest('price_usd'))!.value).toBe(69_880);
      } finally {
        stop();
        await store.close();
        execFileSync('umount', [dir]);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
