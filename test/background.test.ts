import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/logger.ts';
import { startBackground } from '../src/background.ts';
import type { Market } from '../src/sources/types.ts';
import { openStore } from '../src/store/index.ts';
import { headline } from './alerts/headline.ts';

describe('evaluation on each new block', () => {
  it('evaluates when the tip moves, not when it stays', async () => {
    let height = 890_000;
    let loads = 0;
    const market = { tip: async () => ({ value: { height, timestampSec: 1, difficulty: 1 }, source: 'test', fetchedAt: 0, stale: false }) } as unknown as Market;
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
      store.close();
    }
  });
});
