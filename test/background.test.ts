import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { startBackground } from '../src/background.ts';
import type { Market } from '../src/core/market.ts';
import { openStore } from '../src/store/index.ts';
import { headline } from './alerts/headline.ts';
import { stubMarket } from './market-data/stub-market.ts';

describe('evaluation on each new block', () => {
  it('evaluates when the tip moves, not when it stays', async () => {
    let height = 890_000;
    let loads = 0;
    const market = {
      tip: async () => ({ value: { height, timestampSec: 1, difficulty: 1 }, source: 'test', fetchedAt: 0, stale: false }),
    } as unknown as Market;
    const store = openStore(':memory:');
    const runtime = await startBackground({
      config: { MAX_ALERTS_PER_USER: 25, DIGEST_DEFAULT_TIME: '14:00', POLL_INTERVAL_SEC: 600 },
      logger: silentLogger,
      store,
      market,
      senders: [],
      loadHeadline: async () => {
        loads++;
        return { headline: headline({ height }) };
      },
      buildDigest: async () => ({ title: 'd', sections: [], footer: [], tone: 'neutral' }),
      now: () => Date.UTC(2025, 3, 1, 12),
      timers: false,
    });
    try {
      await runtime.pollOnce();
      expect(loads).toBe(1);
      await runtime.watchTip();
      expect(loads).toBe(1);
      height++;
      await runtime.watchTip();
      expect(loads).toBe(2);
      await runtime.watchTip();
      expect(loads).toBe(2);
    } finally {
      await runtime.stop();
      await store.close();
    }
  });
});

describe('startBackground', () => {
  it('starts the history back-fill with the alert poll, the digest schedule and the outbox worker', async () => {
    // Before startBackground the back-fill and the live snapshots were started by main on their own:
    // startAlerts started everything else, and a store it was given gained no history.
    const nowSec = Date.UTC(2025, 3, 1, 12) / 1000;
    const store = openStore(':memory:');
    let loads = 0;
    const runtime = await startBackground({
      config: { MAX_ALERTS_PER_USER: 25, DIGEST_DEFAULT_TIME: '14:00', POLL_INTERVAL_SEC: 600 },
      logger: silentLogger,
      store,
      market: stubMarket(nowSec),
      senders: [],
      loadHeadline: async () => {
        loads++;
        return { headline: headline({ height: 890_000 }) };
      },
      buildDigest: async () => ({ title: 'd', sections: [], footer: [], tone: 'neutral' }),
      now: () => nowSec * 1000,
    });
    try {
      // The back-fill writes a point per day; the poll alone writes only the current slot.
      const monthAgo = () => store.snapshots.atOrBefore('price_usd', nowSec - 30 * 86_400);
      for (let i = 0; i < 400 && ((await monthAgo()) === undefined || loads === 0); i++) await new Promise((r) => setTimeout(r, 25));
      expect(await monthAgo()).toBeDefined();
      expect(loads).toBe(1); // the first poll, at once
    } finally {
      await runtime.stop();
      await store.close();
    }
  });
});

describe('the leader-only work', () => {
  const deps = (store: ReturnType<typeof openStore>, sent: string[]) => ({
    config: { MAX_ALERTS_PER_USER: 25, DIGEST_DEFAULT_TIME: '14:00', POLL_INTERVAL_SEC: 600 },
    logger: silentLogger,
    store,
    market: {} as Market,
    senders: [
      {
        platform: 'telegram' as const,
        send: async (d: { chatId: string }) => {
          sent.push(d.chatId);
          return { ok: true as const, messageIds: ['1'] };
        },
      },
    ],
    loadHeadline: async () => ({ headline: headline() }),
    buildDigest: async () => ({ title: 'd', sections: [], footer: [], tone: 'neutral' as const }),
    now: () => Date.UTC(2025, 3, 1, 12),
    timers: false,
  });
  const queue = (store: ReturnType<typeof openStore>, chatId: string) =>
    store.outbox.enqueue(
      `k:${chatId}`,
      { platform: 'telegram', chatId, kind: 'user' },
      { title: 't', sections: [], footer: [], tone: 'neutral' },
      0,
    );
  const settle = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('delivers what the last leader left queued even while the rules are still loading', async () => {
    const store = openStore(':memory:');
    await queue(store, '42');
    let finishLoad!: () => void;
    const loading = new Promise<void>((r) => (finishLoad = r));
    const eachActive = store.rules.eachActive;
    store.rules.eachActive = async (fn) => {
      await loading;
      return eachActive(fn);
    };
    const sent: string[] = [];
    const started = startBackground(deps(store, sent));
    await settle(() => sent.length > 0);
    expect(sent).toEqual(['42']);
    finishLoad();
    const runtime = await started;
    await runtime.stop();
    await store.close();
  });

  it('stops delivery again when the rules cannot be loaded (the start is retried, never half-done)', async () => {
    const store = openStore(':memory:');
    store.rules.countActive = async () => {
      throw new Error('disk I/O error');
    };
    const sent: string[] = [];
    const runtime = await startBackground(deps(store, sent));
    await queue(store, '43');
    runtime.worker.kick();
    await new Promise((r) => setTimeout(r, 300));
    expect(sent).toEqual([]);
    await runtime.stop();
    await store.close();
  });
});
