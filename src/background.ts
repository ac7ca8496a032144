/**
 * Everything the bot does without being asked, started by startBackground(): the alert engine's
 * market poll and tip watch, the daily digest schedule, the outbox worker that delivers alerts and
 * digests, and the history back-fill at start (live snapshot rows are recorded by each poll's
 * evaluation, src/market-data/recorder.ts). It also returns the
 * services /alert, /digest and /forget use, since they share its alert engine and store. Start-up
 * order matters: leases left by a dead process are released before anything sends, and missed
 * digests of today are queued at once.
 *
 * With several instances on one PostgreSQL only the leader does this work (src/cluster): it starts
 * when this process becomes leader, from the store's state (rules reloaded), and stops when it stops
 * leading. Every instance keeps the services, so any of them answers /alert, /digest and /forget.
 */
import cron from 'node-cron';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Headline } from './core/headline.ts';
import type { Market } from './core/market.ts';
import type { Store } from './store/index.ts';
import { leaderOnly } from './cluster/leader-only.ts';
import { singleLeadership, type Leadership } from './cluster/leadership.ts';
import { inBackground } from './logger.ts';
import { AlertEngine } from './alerts/engine.ts';
import { accountService } from './alerts/account.ts';
import { alertCommands } from './alerts/service.ts';
import type { AccountService, AlertCommands, DigestCommands } from './core/services.ts';
import { OutboxWorker } from './delivery/outbox-worker.ts';
import type { Sender } from './core/delivery.ts';
import { DigestScheduler, type BuildDigest } from './digests/schedule.ts';
import { digestCommands } from './digests/subscriptions.ts';
import { backfillHistory } from './market-data/backfill.ts';

/** The tip is cached for 30 s upstream-side, so checking it this often costs at most 2 calls a minute. */
const TIP_CHECK_MS = 15_000;
export interface BackgroundDeps {
  config: Pick<Config, 'MAX_ALERTS_PER_USER' | 'DIGEST_DEFAULT_TIME' | 'POLL_INTERVAL_SEC'>;
  logger: Logger;
  store: Store;
  market: Market;
  senders: readonly Sender[];
  loadHeadline(market: Market, nowMs: number): Promise<{ headline: Headline }>;
  buildDigest: BuildDigest;
  now?: () => number;
  /** Who does the work that must happen once; absent: this process alone (SQLite). */
  leadership?: Leadership;
  /**
   * false: nothing runs by itself (no timers, no first poll, no history back-fill); tests drive
   * polls and digest checks themselves.
   */
  timers?: boolean;
}

export interface Background {
  services: { alerts: AlertCommands; digests: DigestCommands; account: AccountService };
  /** Evaluates every rule against these numbers and wakes the sender. */
  evaluate(h: Headline): Promise<void>;
  /** One market poll: tip, then headline, then evaluation. Never throws. */
  pollOnce(): Promise<void>;
  /** Checks the tip and polls when a new block arrived. Never throws. */
  watchTip(): Promise<void>;
  /** Queues every digest due now. */
  tickDigests(): Promise<number>;
  worker: OutboxWorker;
  stop(): Promise<void>;
}

/**
 * Starts the outbox worker, queues the digests missed while down, then (unless `timers` is false)
 * the digest check every minute, the market poll and tip watch, the history back-fill and the live
 * snapshots. stop() ends them all and waits for in-flight sends.
 */
export async function startBackground(deps: BackgroundDeps): Promise<Background> {
  // Log lines keep the part name they had before the background work was gathered here.
  const log = deps.logger.child({ part: 'alerts' });
  const now = deps.now ?? Date.now;
  const { store, market } = deps;
  const leadership = deps.leadership ?? singleLeadership();
  const leads = () => leadership.isLeader();
  const engine = new AlertEngine(store, log);
  const worker = new OutboxWorker({
    store,
    senders: deps.senders,
    log,
    now,
    soleSender: leadership.role() === 'single',
    mayAct: leads,
    onDisabled: (d) => engine.untrackDestination(d),
  });
  const digests = new DigestScheduler({ store, log, now, buildDigest: deps.buildDigest, onQueued: () => worker.kick() });
  // Queuing digests is leader work too: checked again at each tick, as the role can end between.
  const tickDigests = async () => (leads() ? digests.tick() : 0);

  let lastHeight: number | undefined;
  let polling: Promise<void> | undefined;
  const evaluate = async (h: Headline) => {
    // A leader that lost its lease decides nothing more: the next leader evaluates from the store.
    if (!leads()) return;
    const r = await engine.evaluate(h);
    if (r.fired) {
      log.info({ fired: r.fired, height: h.height }, 'alerts fired');
      worker.kick();
    }
  };
  const pollOnce = () => {
    // Overlapping polls (a slow upstream) would evaluate twice; the second waits for the first.
    polling ??= (async () => {
      try {
        const tip = await market.tip();
        if (tip.value.height !== lastHeight) log.debug({ height: tip.value.height }, 'new block');
        lastHeight = tip.value.height;
        // Prices move between blocks, so every poll evaluates, not only new blocks.
        const { headline } = await deps.loadHeadline(market, now());
        await evaluate(headline);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'alerts: poll failed; next poll retries');
      } finally {
        polling = undefined;
      }
    })();
    return polling;
  };

  /** Between polls, a new block is noticed within TIP_CHECK_MS and evaluated at once. */
  const watchTip = async () => {
    try {
      const tip = await market.tip();
      if (tip.value.height !== lastHeight) await pollOnce();
    } catch (err) {
      log.debug({ err: (err as Error).message }, 'alerts: tip check failed; the next poll retries');
    }
  };

  /** The work only the leader does; resolves to its stop. */
  const startWork = async () => {
    // Delivery first: it needs no rules, and what the last leader left queued goes out while a large
    // rule set (a million rules on PostgreSQL: ~20 s) is still loading.
    await worker.start();
    // Digests missed while down are queued now; a failed write (full disk) must not stop start-up.
    await inBackground(log, 'digest check', tickDigests);
    // The previous leader may have moved rules and states on: start from what the store holds.
    // A failed load fails the start (retried while leading), so the worker must not outlive it.
    await engine.load().catch(async (err: unknown) => {
      await worker.stop();
      throw err;
    });
    const stoppers: (() => void)[] = [];
    if (deps.timers !== false) {
      // A failed queue write (full disk) is logged and retried at the next minute, never fatal.
      const task = cron.schedule('* * * * *', () => inBackground(log, 'digest check', tickDigests), {
        name: 'digests',
        noOverlap: true,
      });
      stoppers.push(() => void task.stop());
      // pollOnce never rejects (it logs its failures), so a timer may fire and forget it.
      const poll = setInterval(() => void pollOnce(), deps.config.POLL_INTERVAL_SEC * 1000);
      poll.unref();
      stoppers.push(() => clearInterval(poll));
      // Never rejects either (a failed check is logged).
      const tipCheck = setInterval(() => void watchTip(), Math.min(TIP_CHECK_MS, deps.config.POLL_INTERVAL_SEC * 1000));
      tipCheck.unref();
      stoppers.push(() => clearInterval(tipCheck));
      // Start-up does not wait for the first poll or the back-fill; stop() waits for a poll in flight.
      void pollOnce();
      void inBackground(deps.logger, 'history back-fill', () =>
        backfillHistory({ market, snapshots: store.snapshots, logger: deps.logger, now: now() }),
      );
    }
    return async () => {
      for (const stop of stoppers) stop();
      await polling;
      await worker.stop();
    };
  };
  const work = leaderOnly(leadership, startWork, log);
  // A sole process (or a leader already) has its work running before start-up goes on.
  await work.settled();

  return {
    services: {
      alerts: alertCommands({
        store,
        engine,
        maxPerUser: deps.config.MAX_ALERTS_PER_USER,
        now,
        fetchHeadline: async () => (await deps.loadHeadline(market, now())).headline,
      }),
      digests: digestCommands({ store, now, defaultTime: deps.config.DIGEST_DEFAULT_TIME, buildDigest: deps.buildDigest }),
      account: accountService({ store, engine, now }),
    },
    evaluate,
    pollOnce,
    watchTip,
    tickDigests,
    worker,
    stop: () => work.stop(),
  };
}
