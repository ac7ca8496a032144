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
