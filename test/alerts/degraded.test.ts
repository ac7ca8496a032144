/**
 * A figure computed with an input missing must not alert or be recorded (issue 10, item 2): after a
 * restart while mempool's reward-stats endpoint fails, hashprice counts the subsidy only and the
 * fee share reads 0 %. Over the real market client, the fake mempool and the real headline loader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { loadHeadline } from '../../src/market-data/headline.ts';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { startBackground } from '../../src/background.ts';
import { createMarket } from '../../src/sources/index.ts';
import { EXPECTED, TIP_TIME_SEC } from '../fakes/world.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { BACKENDS } from '../support/backends.ts';

let fake: FakeMempool;
beforeAll(async () => {
  fake = await startFakeMempool();
});
afterAll(async () => {
  await fake.close();
});

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
const alice = { platform: 'telegram', id: '1001', name: 'alice' };
const marketFor = () =>
  createMarket({
    config: loadConfig({ ...fake.env, HTTP_TIMEOUT_MS: '5000' }),
    logger: silentLogger,
    now: () => NOW,
    sleep: async () => {},
  });

describe.each(BACKENDS)('a degraded figure on $name', (backend) => {
  it('fires no hashprice or fee-share rule, writes no snapshot for them, and says why once in the log', async () => {
    const store = await backend.open();
    const logs: { msg: string; degraded?: Record<string, string> }[] = [];
    const logger = createLogger({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const start = async (clock: { t: number }) =>
      startBackground({
        config: { MAX_ALERTS_PER_USER: 25, DIGEST_DEFAULT_TIME: '14:00', POLL_INTERVAL_SEC: 600 },
        logger,
        store,
        market: marketFor(),
        senders: [],
        loadHeadline,
        buildDigest: async () => ({ title: 'd', sections: [], footer: [], tone: 'neutral' }),
        now: () => clock.t,
        timers: false,
      });
    const clock = { t: NOW };
    // Healthy world: hashprice $38.86 (EXPECTED), fee share 0.636 %. Both rules are armed.
    const first = await start(clock);
    await first.pollOnce();
    await first.services.alerts.add(alice, { subject: 'hashprice', condition: 'below', value: '38.80' }, 0);
    await first.services.alerts.add(alice, { subject: 'fees', condition: 'below', value: '0.5' }, 0);
    await first.services.alerts.add(alice, { subject: 'hashprice_btc', condition: 'below', value: '0.000556' }, 0);
    await first.stop();
    const rowsBefore = await store.snapshots.atOrBefore('hashprice_usd', Number.MAX_SAFE_INTEGER);

    // Restart while reward-stats fails: the subsidy-only figure would be 38.864 × 3.125 / 3.145 = $38.62,
    // below $38.80, and the fee share 0 %, below 0.5 %: the original code fired all three rules.
    fake.setFault('/api/v1/mining/reward-stats', { kind: '500' });
    try {
      clock.t = NOW + 20 * 60_000;
      const second = await start(clock);
      await second.pollOnce();
      await second.pollOnce();
      await second.stop();
      const queued = await store.outbox.claim(Number.MAX_SAFE_INTEGER, 1, 100, ['telegram']);
      expect(queued.map((r) => r.reply.lines?.[0])).toEqual([]);
      // No snapshot row from the degraded poll: the latest is still the healthy one.
      expect(await store.snapshots.atOrBefore('hashprice_usd', Number.MAX_SAFE_INTEGER)).toEqual(rowsBefore);
      expect(rowsBefore?.value).toBeCloseTo(EXPECTED.hashpriceUsdPerPhDay, 9);
      expect((await store.snapshots.atOrBefore('fee_share', Number.MAX_SAFE_INTEGER))?.tsSec).toBe(rowsBefore?.tsSec);
      expect((await store.snapshots.atOrBefore('hashprice_btc', Number.MAX_SAFE_INTEGER))?.tsSec).toBe(rowsBefore?.tsSec);
      // Figures that need no fees are still recorded from the degraded poll.
      expect((await store.snapshots.atOrBefore('price_usd', Number.MAX_SAFE_INTEGER))?.tsSec).toBeGreaterThan(rowsBefore!.tsSec);
      const why = logs.filter((l) => l.msg === 'alerts: skipping figures computed with an input missing');
      expect(why).toHaveLength(1);
      expect(why[0]!.degraded?.hashpriceUsdPerPhDay).toMatch(/^fees of the last 144 blocks unavailable/);
    } finally {
      fake.clearFaults();
      await store.close();
    }
  });
});

describe('a degraded figure (reward stats failing)', () => {
  it('is marked in the headline the digest and alerts share, with the missing input named', async () => {
    fake.setFault('/api/v1/mining/reward-stats', { kind: '500' });
    try {
      const { headline } = await loadHeadline(marketFor(), NOW);
      // 86400e15 / (D × 2^32) × 3.125 BTC × $69,880: the subsidy alone.
      expect(headline.hashpriceUsdPerPhDay).toBeCloseTo((EXPECTED.hashpriceUsdPerPhDay * 3.125) / 3.145, 9);
      expect(Object.keys(headline.degraded ?? {}).sort()).toEqual(['feeSharePercent', 'hashpriceBtcPerPhDay', 'hashpriceUsdPerPhDay']);
    } finally {
      fake.clearFaults();
    }
  });
});
