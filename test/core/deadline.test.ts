/**
 * Issue 10 item 8: with mempool hanging, a cold /hashprice or /digest must not wait for one request
 * timeout per resource. The request timeout here is 60 s, far beyond the test's own limit, so a test
 * that passes proves the structure (one shared deadline, fallbacks started while the primary hangs),
 * not a wall-clock bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { runCommand } from '../../src/core/run.ts';
import { silentLogger } from '../../src/logger.ts';
import { renderText } from '../../src/adapters/console/format.ts';
import { remainingMs, withDeadline } from '../../src/core/deadline.ts';
import { createMarket } from '../../src/sources/index.ts';
import { startFakeMempool, type FakeMempool } from '../fakes/mempool.ts';
import { TIP_TIME_SEC } from '../fakes/world.ts';

const NOW = (TIP_TIME_SEC + 7 * 60) * 1000;
let fake: FakeMempool;
beforeAll(async () => {
  fake = await startFakeMempool();
  fake.setFault('/api', { kind: 'timeout' });
});
afterAll(() => fake.close());

const hangingMempool = () =>
  createMarket({ config: loadConfig({ ...fake.env, HTTP_TIMEOUT_MS: '60000' }), logger: silentLogger, now: () => NOW });
/** The command's own 10 s deadline, shortened for the test (an enclosing, earlier deadline wins). */
const runWithin = (ms: number, name: string) =>
  withDeadline(ms, () =>
    runCommand(
      commands,
      name,
      {},
      { market: hangingMempool(), now: () => NOW, platform: 'cli', version: 'test', services: {} },
      silentLogger,
    ),
  );

describe('one deadline per command', () => {
  it('nests: an inner deadline never outlives the outer one; none outside a command', async () => {
    expect(remainingMs()).toBe(Number.POSITIVE_INFINITY);
    await withDeadline(1000, async () => {
      await withDeadline(60_000, async () => {
        expect(remainingMs()).toBeLessThanOrEqual(1000);
      });
    });
  });

  it('/hashprice with mempool hanging: fallbacks answer while mempool is still silent; what is missing is said', async () => {
    fake.resetHits();
    const reply = await runWithin(2000, 'hashprice');
    const text = renderText(reply);
    expect(reply.tone, text).not.toBe('error');
    // Coinbase and blockchain.info were started after mempool had been silent for half of the 2 s
    // deadline (sooner than a quarter of the 60 s timeout), so they answered before mempool timed out.
    expect(fake.hits('/coinbase')).toBeGreaterThan(0);
    expect(fake.hits('/bcinfo')).toBeGreaterThan(0);
    expect(text).toMatch(/mempool \(127\.0\.0\.1\) did not answer within [\d.]+ s; using Coinbase/);
    // mempool was asked once per resource, never retried after its timeout
    expect(fake.hits('/api/v1/prices')).toBe(1);
    expect(text).toMatch(/Fees unavailable/);
  }, 15_000);

  it('/digest with mempool hanging: a clear failure, not a wait of one timeout per input', async () => {
    const reply = await runWithin(2000, 'digest');
    expect(renderText(reply)).toMatch(/Could not get .+ mempool \(127\.0\.0\.1\) failed \((timeout after [\d.]+ s|no time left to ask)\)/);
  }, 15_000);
});
