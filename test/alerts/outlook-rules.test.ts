/**
 * Alerts on the forward-looking figures: hashprice after the next adjustment (a threshold metric),
 * the halving N blocks away and the number of ASIC models under water at a power price (events).
 */
import { describe, expect, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { hashpriceAfterRetarget, METRICS } from '../../src/alerts/metrics.ts';
import { isRuleSpec, parseRule } from '../../src/alerts/parse.ts';
import { alertCommands } from '../../src/alerts/service.ts';
import { silentLogger } from '../../src/logger.ts';
import { BACKENDS, closedAfterEach, type Backend } from '../support/backends.ts';
import { headline } from './headline.ts';

const alice = { platform: 'telegram', id: '1001', name: 'alice' };

const openStore = closedAfterEach();

async function setup(backend: Backend) {
  const store = await openStore(backend);
  const engine = new AlertEngine(store, silentLogger);
  await engine.load();
  const alerts = alertCommands({ store, engine, maxPerUser: 5, now: () => Date.UTC(2025, 3, 1, 12) });
  const queued = async () => {
    const all = await store.outbox.claim(Number.MAX_SAFE_INTEGER - 10, 1, 1000, ['telegram', 'discord']);
    await store.outbox.releaseExpiredLeases(Number.MAX_SAFE_INTEGER);
    return all;
  };
  let t = Date.UTC(2025, 3, 1, 13);
  const at = async (over: Parameters<typeof headline>[0]) => (await engine.evaluate(headline({ atMs: (t += 60_000), ...over }))).fired;
  return { engine, alerts, queued, at };
}

describe.each(BACKENDS)('hashprice after the next adjustment (hashprice_next) ($name)', (backend) => {
  it('is today’s hashprice over (1 + the estimated change), with the subsidy of the retarget block', async () => {
    // Height 890,000: the epoch ends at 891,072, before the halving. 45 / 1.021 = 44.0744.
    expect(hashpriceAfterRetarget(headline({ hashpriceUsdPerPhDay: 45, difficultyChangePercent: 2.1 }))).toBeCloseTo(45 / 1.021, 12);
    // Height 1,049,000: epoch 1,048,320..1,050,335 holds the halving. Fees from a 1.2 % share: 3.125 × 1.2 / 98.8 = 0.0379555 BTC;
    // revenue (1.5625 + 0.0379555) / (3.125 + 0.0379555) = 0.506; 45 × 0.506 / 1.021 = 22.30.
    const fees = (3.125 * 1.2) / 98.8;
    expect(
      hashpriceAfterRetarget(headline({ height: 1_049_000, hashpriceUsdPerPhDay: 45, difficultyChangePercent: 2.1, feeSharePercent: 1.2 })),
    ).toBeCloseTo((45 * ((1.5625 + fees) / (3.125 + fees))) / 1.021, 12);
  });

  it('is unknown while the estimate is too early or the hashprice reads low', async () => {
    expect(hashpriceAfterRetarget(headline({ difficultyChangePercent: undefined }))).toBeUndefined();
    expect(hashpriceAfterRetarget(headline({ degraded: { hashpriceUsdPerPhDay: 'fees missing' } }))).toBeUndefined();
    // Across a halving the fee share is needed too.
    expect(hashpriceAfterRetarget(headline({ height: 1_049_000, degraded: { feeSharePercent: 'fees missing' } }))).toBeUndefined();
    expect(METRICS.hashprice_next.read(headline({ difficultyChangePercent: undefined }))).toBeUndefined();
  });

  it('fires a threshold alert when the estimate crosses the line, and not on a degraded figure', async () => {
    const { alerts, queued, at } = await setup(backend);
    await at({ hashpriceUsdPerPhDay: 45, difficultyChangePercent: 0 });
    const added = await alerts.add(alice, { subject: 'hashprice_next', condition: 'below', value: '44' }, 0);
    expect(added.tone).not.toBe('error');
    expect(await at({ hashpriceUsdPerPhDay: 45, difficultyChangePercent: 1, degraded: { hashpriceUsdPerPhDay: 'fees missing' } })).toBe(0);
    // 45 / 1.025 = 43.90.
    expect(await at({ hashpriceUsdPerPhDay: 45, difficultyChangePercent: 2.5 })).toBe(1);
    expect((await queued())[0]!.reply.lines?.[0]).toBe(
      'Hashprice after the next adjustment (estimate, USD per PH/s per day) fell below $44.00/PH/day: now $43.90/PH/day.',
    );
  });
});

describe.each(BACKENDS)('halving N blocks away ($name)', (backend) => {
  it('fires once when the blocks left fall to N, not again for the same halving', async () => {
    const { alerts, queued, at } = await setup(backend);
    await at({ height: 1_048_000 });
    const added = await alerts.add(alice, { subject: 'halving', condition: 'in', value: '1000', window: 'blocks' }, 0);
    expect(added.data).toMatchObject({ alreadyTrue: false });
    expect(await at({ height: 1_048_999 })).toBe(0); // 1,001 left
    expect(await at({ height: 1_049_000 })).toBe(1); // 1,000 left
    expect(await at({ height: 1_049_500 })).toBe(0);
    expect(await at({ height: 1_050_001 })).toBe(0); // past it: the next is 209,999 blocks away
    const [row] = await queued();
    // 1,000 blocks × 600 s = 6.9 days.
    expect(row!.reply.lines?.[0]).toBe(
      'The halving at block 1,050,000 is 1,000 blocks away (about 6.9 days at 10 minutes a block): the subsidy drops from 3.125 to 1.5625 BTC.',
    );
    expect(row!.reply.title).toBe('Alert #1: the next halving 1,000 blocks away');
  });

  it('says so when the halving is already that close (it would only fire for the next one)', async () => {
    const { alerts, at } = await setup(backend);
    await at({ height: 1_049_500 });
    const added = await alerts.add(alice, { subject: 'halving', condition: '1000' }, 0);
    expect(added.data).toMatchObject({ alreadyTrue: true });
    // 1,050,000 − 1,049,500 = 500 blocks.
    expect(added.lines).toContain(
      'The halving at block 1,050,000 is already 500 blocks away, within your 1,000: this rule fires for the halving after it, not this one.',
    );
    expect(await at({ height: 1_049_600 })).toBe(0);
  });
});

describe.each(BACKENDS)('models under water at my power price ($name)', (backend) => {
  it('fires when the count changes, naming the models, with a 1 % band at each breakeven', async () => {
    const { alerts, queued, at } = await setup(backend);
    // $45/PH/day at $0.06: under water above 0.045 / (0.024 × 0.06) = 31.25 J/TH → only the S19 (34.2).
    await at({ hashpriceUsdPerPhDay: 45 });
    await alerts.add(alice, { subject: 'underwater', condition: '$0.06/kWh' }, 0);
    expect(await at({ hashpriceUsdPerPhDay: 45 })).toBe(0);
    // $40: above 0.04 / 0.00144 = 27.78 J/TH → S19j Pro, S19 Pro (29.5), M30S++ (31), S19: 4.
    expect(await at({ hashpriceUsdPerPhDay: 40 })).toBe(1);
    expect(await at({ hashpriceUsdPerPhDay: 40 })).toBe(0);
    // $44.70: the S19j Pro and S19 Pro (breakeven 29.5 × 0.024 × 0.06 × 1000 = $42.48) are well above; the M30S++
    // (breakeven $44.64) earns $0.00006 a TH/s, inside the band of 1 % × $0.0447 = $0.000447: still counted under.
    expect(await at({ hashpriceUsdPerPhDay: 44.7 })).toBe(1);
    // $45.20: M30S++ margin 0.0452 − 0.04464 = $0.00056, past the band → above water: 1 left.
    expect(await at({ hashpriceUsdPerPhDay: 45.2 })).toBe(1);
    // $44.60: M30S++ loses $0.00004, inside the band: no flap.
    expect(await at({ hashpriceUsdPerPhDay: 44.6 })).toBe(0);
    // A subsidy-only hashprice is not counted at all.
    expect(await at({ hashpriceUsdPerPhDay: 20, degraded: { hashpriceUsdPerPhDay: 'fees missing' } })).toBe(0);
    const lines = (await queued()).map((r) => r.reply.lines?.[0]);
    expect(lines).toEqual([
      "At $0.06/kWh, 4 of 17 models lose money at today's hashprice of $40.00/PH/day (was 1); now losing money: Antminer S19j Pro, Antminer S19 Pro, Whatsminer M30S++.",
      "At $0.06/kWh, 2 of 17 models lose money at today's hashprice of $44.70/PH/day (was 4); back above water: Antminer S19j Pro, Antminer S19 Pro.",
      "At $0.06/kWh, 1 of 17 models lose money at today's hashprice of $45.20/PH/day (was 2); back above water: Whatsminer M30S++.",
    ]);
  });
});

describe('parsing and stored specs', () => {
  it('reads the new rules as typed, with clear messages for bad values', async () => {
    expect(parseRule({ subject: 'halving', condition: 'in', value: '1000', window: 'blocks' })).toEqual({
      ok: true,
      spec: { kind: 'halving', blocks: 1000 },
    });
    expect(parseRule({ subject: 'halving', condition: '2k' })).toEqual({ ok: true, spec: { kind: 'halving', blocks: 2000 } });
    expect(parseRule({ subject: 'underwater', condition: '$0.06/kWh' })).toEqual({
      ok: true,
      spec: { kind: 'under_water', powerUsdPerKwh: 0.06 },
    });
    expect(parseRule({ subject: 'models', condition: 'under', value: 'water', window: '0.045' })).toEqual({
      ok: true,
      spec: { kind: 'under_water', powerUsdPerKwh: 0.045 },
    });
    expect(parseRule({ subject: 'hashprice_next', condition: 'below', value: '35' })).toEqual({
      ok: true,
      spec: { kind: 'threshold', metric: 'hashprice_next', direction: 'below', value: 35 },
    });
    const bad = [
      parseRule({ subject: 'halving' }),
      parseRule({ subject: 'halving', condition: '210000' }),
      parseRule({ subject: 'underwater', condition: '5' }),
      parseRule({ subject: 'underwater', condition: '0.06', value: '7d' }),
    ];
    for (const r of bad) expect(r.ok).toBe(false);
    expect(bad[0]).toMatchObject({ message: expect.stringContaining('Example: /alert add halving 1000') });
    expect(bad[2]).toMatchObject({ message: expect.stringContaining('at most 2') });
  });

  it('accepts the new kinds from storage and still every old one; rejects malformed new ones', async () => {
    for (const spec of [
      { kind: 'halving', blocks: 1000 },
      { kind: 'under_water', powerUsdPerKwh: 0.06 },
      { kind: 'threshold', metric: 'hashprice_next', direction: 'below', value: 35 },
      { kind: 'threshold', metric: 'difficulty', direction: 'above', value: 1.5e14 },
      { kind: 'retarget' },
      { kind: 'pool_share', percent: 30 },
      { kind: 'hashprice_low', days: 90 },
    ])
      expect(isRuleSpec(spec), JSON.stringify(spec)).toBe(true);
    for (const spec of [{ kind: 'halving' }, { kind: 'halving', blocks: 'x' }, { kind: 'under_water', powerUsdPerKwh: -1 }])
      expect(isRuleSpec(spec)).toBe(false);
  });
});
