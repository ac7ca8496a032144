import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { alertCommands } from '../../src/alerts/service.ts';
import { ThresholdIndex } from '../../src/alerts/threshold-index.ts';
import { silentLogger } from '../../src/logger.ts';
import { openStore as openSqliteFile, type Store } from '../../src/store/index.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import type { Headline } from '../../src/core/headline.ts';
import { BACKENDS, closedAfterEach, SQLITE, type Backend } from '../support/backends.ts';
import { headline } from './headline.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const alice = { platform: 'telegram', id: '1001', name: 'alice' };
const bob = { platform: 'telegram', id: '1002', name: 'bob' };

const openStore = closedAfterEach();

/** The setup of every test below, on one backend: a store of its own unless given one. */
function on(backend: Backend) {
  return async function setup(store?: Store, clock = { t: Date.UTC(2025, 3, 1, 12) }, fetchHeadline?: () => Promise<Headline>) {
    const opened = store ?? (await openStore(backend));
    const engine = new AlertEngine(opened, silentLogger);
    await engine.load();
    const alerts = alertCommands({ store: opened, engine, maxPerUser: 3, now: () => clock.t, fetchHeadline });
    const queued = async () => {
      const all = await opened.outbox.claim(Number.MAX_SAFE_INTEGER - 10, 1, 1000, ['telegram', 'discord']);
      await opened.outbox.releaseExpiredLeases(Number.MAX_SAFE_INTEGER);
      return all;
    };
    return { store: opened, engine, alerts, clock, queued };
  };
}

describe.each(BACKENDS)('threshold alerts ($name)', (backend) => {
  const setup = on(backend);

  it('fire once when crossed, not while the value hovers, and again only after re-arming past the margin', async () => {
    const { engine, alerts, queued } = await setup();
    await engine.evaluate(headline({ hashpriceUsdPerPhDay: 45 }));
    const added = await alerts.add(alice, { subject: 'hashprice', condition: 'below', value: '40' }, 0);
    expect(added.data).toMatchObject({ ruleId: 1, alreadyTrue: false });
    expect(added.title).toBe('Alert #1 added');
    expect(added.lines?.[0]).toBe('You will be alerted when: hashprice (USD per PH/s per day) below $40.00/PH/day.');
    expect(added.ephemeral).toBe(true);

    let t = Date.UTC(2025, 3, 1, 13);
    const at = async (v: number) => (await engine.evaluate(headline({ atMs: (t += 60_000), hashpriceUsdPerPhDay: v }))).fired;
    expect(await at(41)).toBe(0);
    expect(await at(39.9)).toBe(1); // crossed
    expect(await at(39)).toBe(0); // still below
    expect(await at(40.5)).toBe(0); // back above, but within the 2 % margin ($0.80)
    expect(await at(39.5)).toBe(0); // so this is not a new crossing
    expect(await at(40.8)).toBe(0); // re-armed (≥ 40.80)
    expect(await at(39.99)).toBe(1); // fires again
    const rows = await queued();
    expect(rows.map((r) => r.idemKey)).toEqual(['alert:1:1', 'alert:1:2']);
    expect(rows[0]!.destination).toEqual({ platform: 'telegram', chatId: '1001', kind: 'user' });
    expect(rows[0]!.reply.lines?.[0]).toBe('Hashprice (USD per PH/s per day) fell below $40.00/PH/day: now $39.90/PH/day.');
    // Absolute times: the message may be delivered long after it was decided (429s, retries, a restart).
    expect(rows[0]!.reply.footer.slice(0, 2)).toEqual([
      'Block 890,000 · mined 2025-04-01 11:55 UTC',
      'Numbers as of 2025-04-01 13:02 UTC · source: mempool.space',
    ]);
  });

  it('do not fire for a rule created while its condition already holds, and say so', async () => {
    const { engine, alerts, queued } = await setup();
    await engine.evaluate(headline({ priceUsd: 83_000 }));
    const added = await alerts.add(alice, { subject: 'price', condition: 'above', value: '80k' }, 0);
    expect(added.data).toMatchObject({ alreadyTrue: true });
    expect(added.lines?.join(' ')).toMatch(/already true right now, so it will fire on the next crossing/);
    expect((await engine.evaluate(headline({ priceUsd: 84_000 }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ priceUsd: 78_000 }))).fired).toBe(0); // re-armed (≤ 78,400)
    expect((await engine.evaluate(headline({ priceUsd: 80_001 }))).fired).toBe(1);
    expect(await queued()).toHaveLength(1);
  });

  it('arm silently on the first evaluation when created before any numbers were known', async () => {
    const { engine, alerts } = await setup();
    await alerts.add(alice, { subject: 'nakamoto', condition: 'below', value: '4' }, 0);
    expect((await engine.evaluate(headline({ nakamoto: 3 }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ nakamoto: 4 }))).fired).toBe(0); // re-armed: margin floor is 0 for a whole number
    expect((await engine.evaluate(headline({ nakamoto: 3 }))).fired).toBe(1);
  });

  it('hold a crossing inside the cooldown and fire it when the cooldown ends, if still true', async () => {
    const { engine, alerts, queued } = await setup();
    const t0 = Date.UTC(2025, 3, 1, 12);
    await engine.evaluate(headline({ atMs: t0, feeSharePercent: 1 }));
    await alerts.add(alice, { subject: 'fees', condition: 'above', value: '5' }, 60);
    expect((await engine.evaluate(headline({ atMs: t0 + 1000, feeSharePercent: 6 }))).fired).toBe(1);
    expect((await engine.evaluate(headline({ atMs: t0 + 2000, feeSharePercent: 4 }))).fired).toBe(0); // re-armed (≤ 4.75)
    expect((await engine.evaluate(headline({ atMs: t0 + 3000, feeSharePercent: 6 }))).fired).toBe(0); // in cooldown
    expect((await engine.evaluate(headline({ atMs: t0 + 30 * 60_000, feeSharePercent: 6.5 }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ atMs: t0 + 61 * 60_000, feeSharePercent: 6.5 }))).fired).toBe(1);
    expect((await engine.evaluate(headline({ atMs: t0 + 200 * 60_000, feeSharePercent: 6.5 }))).fired).toBe(0);
    expect((await queued()).map((r) => r.idemKey)).toEqual(['alert:1:1', 'alert:1:2']);
  });

  it('keep their state across a restart: the same database never re-fires, a real crossing while down does fire', async () => {
    const store = await openStore(backend);
    const a = await setup(store);
    await a.engine.evaluate(headline({ hashpriceUsdPerPhDay: 45 }));
    await a.alerts.add(alice, { subject: 'hashprice', condition: 'below', value: '40' }, 0);
    await a.alerts.add(bob, { subject: 'hashprice', condition: 'above', value: '50' }, 0);
    expect((await a.engine.evaluate(headline({ hashpriceUsdPerPhDay: 39 }))).fired).toBe(1);

    const b = await setup(store); // a new process: engine rebuilt from the store
    expect((await b.engine.evaluate(headline({ hashpriceUsdPerPhDay: 39 }))).fired).toBe(0);
    expect((await b.engine.evaluate(headline({ hashpriceUsdPerPhDay: 51 }))).fired).toBe(1); // bob's rule crossed
    const c = await setup(store);
    expect((await c.engine.evaluate(headline({ hashpriceUsdPerPhDay: 51 }))).fired).toBe(0);
    expect((await c.queued()).map((r) => r.idemKey)).toEqual(['alert:1:1', 'alert:2:1']);
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'hashwatch-alerts-'));
afterAll(async () => rmSync(tmp, { recursive: true, force: true }));

// SQLite only: it opens a database file written by 0.1, and 0.1 had no PostgreSQL store, so no
// PostgreSQL database holds rules in that form.
describe('difficulty', () => {
  const setup = on(SQLITE);

  it('is the level in T; a rule stored by 0.1 as "difficulty above 5" (the estimate, %) still fires on the estimate', async () => {
    const path = join(tmp, 'v2.db');
    const raw = new Database(path);
    raw.exec(MIGRATIONS[0]!);
    raw.exec(MIGRATIONS[1]!);
    raw.pragma('user_version = 2');
    raw.exec(`
      INSERT INTO users (id, platform, external_id, created_ms) VALUES (1, 'telegram', '1001', 0);
      INSERT INTO alert_rules (user_id, spec, cooldown_sec, created_ms) VALUES (1, '{"kind":"threshold","metric":"difficulty","direction":"above","value":5}', 0, 0);
      INSERT INTO alert_state (rule_id, armed, episode, updated_ms) VALUES (1, 1, 0, 0);
    `);
    raw.close();
    const store = openSqliteFile(path);
    const { engine, alerts, queued } = await setup(store);
    await alerts.add(alice, { subject: 'difficulty', condition: 'above', value: '120T' }, 0);
    expect((await engine.evaluate(headline({ difficulty: 119e12, difficultyChangePercent: 4 }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ difficulty: 119e12, difficultyChangePercent: 5.5 }))).fired).toBe(1);
    expect((await engine.evaluate(headline({ difficulty: 121e12, difficultyChangePercent: 5.5 }))).fired).toBe(1);
    expect((await queued()).map((r) => r.reply.lines?.[0])).toEqual([
      'Estimated difficulty change at the next retarget rose above +5.00 %: now +5.50 %.',
      'Mining difficulty rose above 120.00 T: now 121.00 T.',
    ]);
    await store.close();
  });
});

describe.each(BACKENDS)('change alerts ($name)', (backend) => {
  const setup = on(backend);

  it('use the headline hashrate change for 7 and 30 days', async () => {
    const { engine, alerts } = await setup();
    await alerts.add(alice, { subject: 'hashrate', condition: 'change', value: '-10%', window: '7d' }, 0);
    expect((await engine.evaluate(headline({ hashrate7dChange7dPercent: -4 }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ hashrate7dChange7dPercent: -10.2 }))).fired).toBe(1);
    expect((await engine.evaluate(headline({ hashrate7dChange7dPercent: -11 }))).fired).toBe(0);
  });

  it('use stored snapshots for other windows, and wait when there is no history that far back', async () => {
    const { engine, alerts, store } = await setup();
    const now = Date.UTC(2025, 3, 1, 12);
    await alerts.add(alice, { subject: 'price', condition: 'down', value: '20%', window: '30d' }, 0);
    expect((await engine.evaluate(headline({ atMs: now, priceUsd: 60_000 }))).fired).toBe(0); // no history: not evaluated
    await store.snapshots.upsertMany([{ metric: 'price_usd', tsSec: (now - 30 * DAY) / 1000 - 3600, value: 100_000, source: 'test' }]);
    expect((await engine.evaluate(headline({ atMs: now + 1000, priceUsd: 90_000 }))).fired).toBe(0); // first evaluation: −10 %, arms
    expect((await engine.evaluate(headline({ atMs: now + 2000, priceUsd: 79_000 }))).fired).toBe(1); // −21 %
  });

  it('compare with the value recorded at or before the start of the window, not an older or a later one', async () => {
    const { engine, alerts, store, queued } = await setup();
    const now = Date.UTC(2025, 3, 1, 12);
    const windowStartSec = (now - 30 * DAY) / 1000;
    await store.snapshots.upsertMany([
      { metric: 'price_usd', tsSec: windowStartSec - 30 * 3600, value: 200_000, source: 'older' },
      { metric: 'price_usd', tsSec: windowStartSec - 3600, value: 100_000, source: 'the one' },
      { metric: 'price_usd', tsSec: windowStartSec + 3600, value: 50_000, source: 'inside the window' },
    ]);
    await alerts.add(alice, { subject: 'price', condition: 'down', value: '20%', window: '30d' }, 0);
    // −10 % against $100k arms it (against $200k it would be −55 % and hold; against $50k, +80 %).
    expect((await engine.evaluate(headline({ atMs: now, priceUsd: 90_000 }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ atMs: now + 1000, priceUsd: 79_000 }))).fired).toBe(1);
    expect((await queued()).map((r) => r.reply.lines?.[0])).toEqual(['BTC price (USD) changed −21.0 % over 30 days (now $79,000).']);
  });

  it('that already hold when added say so, from the recorded value, and wait for the next crossing', async () => {
    const { engine, alerts, store } = await setup();
    const now = Date.UTC(2025, 3, 1, 12);
    await store.snapshots.upsertMany([{ metric: 'price_usd', tsSec: (now - 14 * DAY) / 1000 - 600, value: 100_000, source: 'test' }]);
    await engine.evaluate(headline({ atMs: now, priceUsd: 85_000 }));
    const added = await alerts.add(alice, { subject: 'price', condition: 'down', value: '10%', window: '14d' }, 0);
    expect(added.data).toMatchObject({ alreadyTrue: true, checked: true });
    expect((await engine.evaluate(headline({ atMs: now + 1000, priceUsd: 84_000 }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ atMs: now + 2000, priceUsd: 95_000 }))).fired).toBe(0); // re-armed
    expect((await engine.evaluate(headline({ atMs: now + 3000, priceUsd: 89_000 }))).fired).toBe(1);
  });
});

describe.each(BACKENDS)('change alerts at scale ($name)', (backend) => {
  const setup = on(backend);

  it('look the past value up once per metric and window, however many rules share it', async () => {
    const { engine, alerts, store } = await setup(await openStore(backend));
    const users = Array.from({ length: 3 }, (_, i) => ({ platform: 'telegram', id: String(2000 + i) }));
    for (const u of users) await alerts.add(u, { subject: 'price', condition: 'down', value: '20%', window: '30d' }, 0);
    await alerts.add(alice, { subject: 'price', condition: 'down', value: '10%', window: '14d' }, 0);
    let lookups = 0;
    const real = store.snapshots.atOrBefore;
    store.snapshots.atOrBefore = (metric, tsSec) => {
      lookups++;
      return real(metric, tsSec);
    };
    await engine.evaluate(headline());
    expect(lookups).toBe(2);
  });
});

describe.each(BACKENDS)('event alerts ($name)', (backend) => {
  const setup = on(backend);

  // Epochs: 890,000 − 890,000 % 2016 = 890,000 − 944 = 889,056; the next starts at 891,072.
  it('fire on each difficulty adjustment with the actual change, not for the one before the rule', async () => {
    const { engine, alerts, queued } = await setup();
    await engine.evaluate(headline());
    await alerts.add(alice, { subject: 'retarget' });
    expect((await engine.evaluate(headline({ height: 891_071 }))).fired).toBe(0); // last block of the epoch
    // 113.76 T × (1 − 0.0321) = 110.108 T: the change is this epoch's difficulty over the last one's.
    const after = { height: 891_072, difficulty: 113.76e12 * (1 - 0.0321) };
    expect((await engine.evaluate(headline(after))).fired).toBe(1);
    expect((await engine.evaluate(headline({ ...after, height: 891_073 }))).fired).toBe(0);
    expect((await queued())[0]!.reply.lines?.[0]).toBe('Difficulty adjusted by −3.21 % at block 891,072: now 110.11 T.');
  });

  it('key a retarget on the epoch start height: a re-fetched or missing timestamp neither re-fires nor hides one', async () => {
    const { engine, alerts } = await setup();
    await engine.evaluate(headline());
    await alerts.add(alice, { subject: 'retarget' });
    // Same epoch, the adjustment endpoint re-fetched with another (or no) previous-retarget time.
    expect(
      (await engine.evaluate(headline({ lastRetarget: { timeSec: Date.UTC(2025, 2, 24, 0, 5) / 1000, changePercent: 1.43 } }))).fired,
    ).toBe(0);
    expect((await engine.evaluate(headline({ lastRetarget: { timeSec: Number.NaN, changePercent: Number.NaN } }))).fired).toBe(0);
    // The next epoch arrives while the adjustment data still lacks a timestamp: it fires anyway.
    const noTime = { timeSec: Number.NaN, changePercent: Number.NaN };
    expect((await engine.evaluate(headline({ height: 891_080, difficulty: 120e12, lastRetarget: noTime }))).fired).toBe(1);
    expect((await engine.evaluate(headline({ height: 891_081, difficulty: 120e12, lastRetarget: noTime }))).fired).toBe(0);
  });

  it('read a retarget memo stored by 0.1 (the last retarget timestamp): only a later retarget fires, once', async () => {
    const store = await openStore(backend);
    const owner = await store.users.ensure('telegram', '1001', 'alice', 0);
    const seenSec = Date.UTC(2025, 2, 24) / 1000;
    const legacy = { armed: true, episode: 1, lastFiredMs: null, memo: String(seenSec) };
    await store.rules.insert({ userId: owner, specJson: '{"kind":"retarget"}', cooldownSec: 0, createdMs: 0 }, legacy);
    await store.rules.insert(
      { userId: owner, specJson: '{"kind":"retarget"}', cooldownSec: 0, createdMs: 0 },
      { ...legacy, memo: String(seenSec - 14 * 86_400) },
    );
    const { engine, queued } = await setup(store);
    expect((await engine.evaluate(headline({ lastRetarget: { timeSec: seenSec, changePercent: 1.43 } }))).fired).toBe(1); // only rule 2 had not seen it
    expect((await engine.evaluate(headline({ lastRetarget: { timeSec: seenSec, changePercent: 1.43 } }))).fired).toBe(0);
    expect((await queued()).map((r) => [r.idemKey, r.reply.lines?.[0]])).toEqual([
      ['alert:2:2', 'Difficulty adjusted by +1.43 % at block 889,056: now 113.76 T.'],
    ]);
  });

  it('fire when hash ribbons turn to capitulation or recovery', async () => {
    const { engine, alerts } = await setup();
    await alerts.add(alice, { subject: 'ribbons' });
    expect((await engine.evaluate(headline({ ribbons: 'capitulation' }))).fired).toBe(0); // first look: remembered
    expect((await engine.evaluate(headline({ ribbons: 'recovery' }))).fired).toBe(1);
    expect((await engine.evaluate(headline({ ribbons: 'normal' }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ ribbons: 'capitulation' }))).fired).toBe(1);
    expect((await engine.evaluate(headline({ ribbons: 'capitulation' }))).fired).toBe(0);
  });

  it('fire when a pool crosses the line, once, until it falls back below by the margin', async () => {
    const { engine, alerts, queued } = await setup();
    await engine.evaluate(headline());
    await alerts.add(alice, { subject: 'pool', condition: 'above', value: '25%' }); // Foundry is already at 30 %
    const pools = (antpool: number) => [
      { name: 'Foundry USA', sharePercent: 30 },
      { name: 'AntPool', sharePercent: antpool },
    ];
    expect((await engine.evaluate(headline({ pools1w: pools(20) }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ pools1w: pools(26) }))).fired).toBe(1);
    expect((await engine.evaluate(headline({ pools1w: pools(24.8) }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ pools1w: pools(25.5) }))).fired).toBe(0); // had not fallen past the 0.5-point margin
    expect((await engine.evaluate(headline({ pools1w: pools(24) }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ pools1w: pools(25.1) }))).fired).toBe(1);
    expect((await queued())[0]!.reply.lines?.[0]).toBe('AntPool found 26.0 % of blocks over the last week (line: 25 %).');
  });

  it('fire when hashprice makes a new N-day low', async () => {
    const { engine, alerts } = await setup();
    const now = Date.UTC(2025, 3, 1, 12);
    const history = Array.from({ length: 100 }, (_, i) => ({ t: (now - (100 - i) * DAY) / 1000, v: 60 - i * 0.1 }));
    await alerts.add(alice, { subject: 'hashprice', condition: 'low', value: '90d' });
    expect((await engine.evaluate(headline({ atMs: now, hashpriceUsdPerPhDay: 55, hashpriceHistory: history }))).fired).toBe(0);
    expect((await engine.evaluate(headline({ atMs: now, hashpriceUsdPerPhDay: 50.05, hashpriceHistory: history }))).fired).toBe(1); // low is 50.1
    expect((await engine.evaluate(headline({ atMs: now, hashpriceUsdPerPhDay: 49, hashpriceHistory: history }))).fired).toBe(0);
  });
});

describe.each(BACKENDS)('alert commands ($name)', (backend) => {
  const setup = on(backend);

  it('enforce the per-user limit and keep users to their own rules', async () => {
    const { alerts } = await setup();
    for (let i = 0; i < 3; i++)
      expect((await alerts.add(alice, { subject: 'price', condition: 'above', value: `${100 + i}k` })).tone).toBe('neutral');
    const over = await alerts.add(alice, { subject: 'price', condition: 'above', value: '200k' });
    expect(over.title).toBe('Alert limit reached');
    expect(over.lines?.[0]).toMatch(/You already have 3 alerts/);
    expect((await alerts.list(bob)).lines).toEqual(['You have no alerts. Add one, e.g. /alert add hashprice below 40']);
    expect((await alerts.remove(bob, 1)).title).toBe('No such alert');
    expect((await alerts.pause(bob, 2)).title).toBe('No such alert');
    expect((await alerts.list(alice)).lines?.length).toBe(3);
    expect((await alerts.remove(alice, 1)).title).toBe('Alert #1 removed');
    expect((await alerts.pause(alice, 2)).title).toBe('Alert #2 paused');
    expect((await alerts.list(alice)).lines).toEqual(['#2: BTC price (USD) above $101,000 (paused)', '#3: BTC price (USD) above $102,000']);
    expect((await alerts.resume(alice, 2)).title).toBe('Alert #2 resumed');
  });

  it('do not evaluate paused rules, and resume like a new rule (no firing for what happened meanwhile)', async () => {
    const { engine, alerts } = await setup();
    await engine.evaluate(headline({ priceUsd: 80_000 }));
    await alerts.add(alice, { subject: 'price', condition: 'above', value: '90k' }, 0);
    await alerts.pause(alice, 1);
    expect((await engine.evaluate(headline({ priceUsd: 95_000 }))).fired).toBe(0);
    expect((await alerts.resume(alice, 1)).data).toMatchObject({ alreadyTrue: true });
    expect((await engine.evaluate(headline({ priceUsd: 96_000 }))).fired).toBe(0);
    await engine.evaluate(headline({ priceUsd: 80_000 }));
    expect((await engine.evaluate(headline({ priceUsd: 91_000 }))).fired).toBe(1);
  });
});

describe.each(BACKENDS)('a new rule that already holds ($name)', (backend) => {
  const setup = on(backend);

  it('is told so before the first poll: the current numbers are fetched on add', async () => {
    let fetched = 0;
    const { engine, alerts } = await setup(undefined, undefined, async () => {
      fetched++;
      return headline({ priceUsd: 83_000 });
    });
    const added = await alerts.add(alice, { subject: 'price', condition: 'above', value: '80k' }, 0);
    expect(fetched).toBe(1);
    expect(added.data).toMatchObject({ alreadyTrue: true, checked: true });
    expect(added.lines?.[1]).toBe(
      'This is already true right now, so it will fire on the next crossing (after the value moves back and crosses again), not now.',
    );
    expect((await engine.evaluate(headline({ priceUsd: 84_000 }))).fired).toBe(0); // started disarmed
    await engine.evaluate(headline({ priceUsd: 78_000 }));
    await alerts.add(alice, { subject: 'price', condition: 'above', value: '90k' }, 0);
    expect(fetched).toBe(1); // after a poll the engine's numbers are used
  });

  it('says plainly that it will check at the next block when the numbers cannot be fetched', async () => {
    const { alerts } = await setup(undefined, undefined, () => Promise.reject(new Error('upstream down')));
    const added = await alerts.add(alice, { subject: 'price', condition: 'above', value: '80k' }, 0);
    expect(added.title).toBe('Alert #1 added');
    expect(added.data).toMatchObject({ alreadyTrue: false, checked: false });
    expect(added.lines?.[1]).toMatch(
      /^The current numbers are not in yet, so I cannot tell whether this already holds: I will check at the next block/,
    );
  });

  it('names the pools already over the line of a pool rule', async () => {
    const { engine, alerts } = await setup();
    await engine.evaluate(headline()); // Foundry USA 30 %, AntPool 18 %, ViaBTC 12 %
    const added = await alerts.add(alice, { subject: 'pool', condition: 'above', value: '15%' });
    expect(added.data).toMatchObject({ alreadyTrue: true });
    expect(added.lines?.[1]).toBe(
      'Already above the line right now: Foundry USA (30.0 %), AntPool (18.0 %). It fires when another pool crosses it, or one of these again after falling back below.',
    );
    expect((await alerts.add(alice, { subject: 'pool', condition: 'above', value: '35%' })).data).toMatchObject({ alreadyTrue: false });
  });

  it('says when hashprice is at a new N-day low right now', async () => {
    const now = Date.UTC(2025, 3, 1, 12);
    // Daily points 60.0, 59.9, … 50.1 over the last 100 days: the 90-day low is 50.1.
    const history = Array.from({ length: 100 }, (_, i) => ({ t: (now - (100 - i) * DAY) / 1000, v: 60 - i * 0.1 }));
    const { alerts } = await setup(undefined, undefined, async () =>
      headline({ atMs: now, hashpriceUsdPerPhDay: 50, hashpriceHistory: history }),
    );
    const added = await alerts.add(alice, { subject: 'hashprice', condition: 'low', value: '90d' });
    expect(added.data).toMatchObject({ alreadyTrue: true });
    expect(added.lines?.[1]).toBe(
      'Hashprice is at a new 90-day low right now, so it fires at the next new low after hashprice has recovered by 2 %, not now.',
    );
  });
});

describe.each(BACKENDS)('duplicate rules ($name)', (backend) => {
  const setup = on(backend);

  it('are looked for past a stored row that is not JSON (skipped, not an internal error)', async () => {
    const { alerts, store } = await setup();
    const owner = await store.users.ensure('telegram', '1001', 'alice', 0);
    await store.rules.insert(
      { userId: owner, specJson: 'not json', cooldownSec: 0, createdMs: 0 },
      { armed: null, episode: 0, lastFiredMs: null, memo: null },
    );
    expect((await alerts.add(alice, { subject: 'retarget' })).title).toBe('Alert #2 added');
    expect((await alerts.list(alice)).lines).toEqual(['#1: unreadable rule', '#2: every difficulty adjustment (with the actual change)']);
    expect((await alerts.resume(alice, 1)).title).toBe('Alert unreadable');
  });

  it('are refused with the id of the existing rule, whatever the spelling or cooldown; other users are unaffected', async () => {
    const { alerts, store } = await setup();
    expect((await alerts.add(alice, { subject: 'hashprice', condition: 'below', value: '40' })).title).toBe('Alert #1 added');
    for (const again of [
      { subject: 'hashprice', condition: 'below', value: '40' },
      { subject: 'hp', condition: 'under', value: '40.00' },
      { subject: 'HashPrice', condition: '<', value: '$40' },
    ]) {
      const r = await alerts.add(alice, again, 5);
      expect(r.title).toBe('Alert already exists');
      expect(r.lines?.[0]).toBe('You already have this alert: #1. Two identical rules would send every alert twice.');
    }
    expect(await store.rules.countForUser((await store.users.find('telegram', '1001'))!.id)).toBe(1);
    expect((await alerts.add(alice, { subject: 'hashprice', condition: 'below', value: '39' })).title).toBe('Alert #2 added');
    expect((await alerts.add(bob, { subject: 'hashprice', condition: 'below', value: '40' })).title).toBe('Alert #3 added');
    await alerts.pause(alice, 2);
    expect((await alerts.add(alice, { subject: 'hashprice', condition: 'below', value: '39' })).lines?.[0]).toBe(
      'You already have this alert: #2 (paused: /alert resume 2). Two identical rules would send every alert twice.',
    );
    expect((await alerts.add(alice, { subject: 'retarget' })).title).toBe('Alert #4 added');
    expect((await alerts.add(alice, { subject: 'adjustment' })).lines?.[0]).toMatch(/^You already have this alert: #4\./);
  });
});

describe('ThresholdIndex', () => {
  it('returns exactly the rules whose state can change between two values (checked against a scan)', async () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ above: fc.boolean(), v: fc.integer({ min: 0, max: 50 }), m: fc.integer({ min: 0, max: 5 }) }), {
          maxLength: 40,
        }),
        fc.integer({ min: -5, max: 60 }),
        fc.integer({ min: -5, max: 60 }),
        (rules, from, to) => {
          const index = new ThresholdIndex();
          rules.forEach((r, id) => {
            index.add(id, 'm', r.above ? 'above' : 'below', r.v, r.m);
          });
          const holds = (r: (typeof rules)[number], x: number) => (r.above ? x > r.v : x < r.v);
          const rearms = (r: (typeof rules)[number], x: number) => (r.above ? x <= r.v - r.m : x >= r.v + r.m);
          const expected = rules
            .map((r, id) => ((!holds(r, from) && holds(r, to)) || (!rearms(r, from) && rearms(r, to)) ? id : -1))
            .filter((id) => id >= 0);
          expect(index.crossed('m', from, to).sort((a, b) => a - b)).toEqual(expected);
        },
      ),
    );
  });
});

describe.each(BACKENDS)('snapshots written by evaluation ($name)', (backend) => {
  const setup = on(backend);

  it('keep one value per metric per 10-minute slot, under the names charts read', async () => {
    const { engine, store } = await setup();
    const t = Date.UTC(2025, 3, 1, 12, 0, 30);
    await engine.evaluate(headline({ atMs: t, priceUsd: 80_000 }));
    await engine.evaluate(headline({ atMs: t + 5 * 60_000, priceUsd: 81_000 }));
    await engine.evaluate(headline({ atMs: t + 10 * 60_000, priceUsd: 82_000 }));
    expect(await store.snapshots.range('price_usd', 0, Number.MAX_SAFE_INTEGER)).toEqual([
      { metric: 'price_usd', tsSec: Date.UTC(2025, 3, 1, 12) / 1000, value: 81_000, source: 'mempool.space' },
      { metric: 'price_usd', tsSec: Date.UTC(2025, 3, 1, 12, 10) / 1000, value: 82_000, source: 'mempool.space' },
    ]);
    expect((await store.snapshots.latest('hashprice_usd'))?.value).toBe(45);
    expect((await store.snapshots.latest('hashrate_7d'))?.value).toBe(820e18);
    await engine.evaluate(headline({ atMs: t + 20 * 60_000, priceUsd: 1, stale: true }));
    expect((await store.snapshots.latest('price_usd'))?.value).toBe(82_000);
  });
});

describe.each(BACKENDS)('a failed write ($name)', (backend) => {
  const setup = on(backend);

  it('loses no alert: the pass that could not commit is decided again on the next evaluation', async () => {
    const { engine, alerts, store, queued } = await setup();
    await engine.evaluate(headline({ priceUsd: 80_000 }));
    await alerts.add(alice, { subject: 'price', condition: 'above', value: '90k' }, 0);
    const real = store.transaction;
    store.transaction = () => Promise.reject(new Error('SQLITE_FULL: database or disk is full'));
    await expect(engine.evaluate(headline({ priceUsd: 91_000 }))).rejects.toThrow(/disk is full/);
    store.transaction = real;
    expect((await engine.evaluate(headline({ priceUsd: 91_500 }))).fired).toBe(1);
    expect((await queued()).map((r) => r.idemKey)).toEqual(['alert:1:1']);
  });
});

describe.each(BACKENDS)('rule ids ($name)', (backend) => {
  const setup = on(backend);

  it('are never reused, so a new rule never collides with a removed rule’s queued alert (which would drop the new alert)', async () => {
    const { engine, alerts, queued } = await setup();
    await engine.evaluate(headline({ priceUsd: 80_000 }));
    await alerts.add(alice, { subject: 'price', condition: 'above', value: '90k' }, 0);
    expect((await engine.evaluate(headline({ priceUsd: 91_000 }))).fired).toBe(1); // alert:1:1 queued for alice
    expect((await alerts.remove(alice, 1)).title).toBe('Alert #1 removed');
    await engine.evaluate(headline({ priceUsd: 80_000 }));
    const added = await alerts.add(bob, { subject: 'price', condition: 'above', value: '90k' }, 0);
    expect(added.data).toMatchObject({ ruleId: 2 });
    expect((await engine.evaluate(headline({ priceUsd: 91_000 }))).fired).toBe(1);
    const rows = await queued();
    expect(rows.map((r) => `${r.idemKey} → ${r.destination.chatId}`)).toEqual(['alert:1:1 → 1001', 'alert:2:1 → 1002']);
  });
});
