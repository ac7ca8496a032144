/** The alert text, from a decision alone: no engine, no store. */
import { describe, expect, it } from 'vitest';
import { alertReply, whatHappened } from '../../src/alerts/messages.ts';
import { headline } from './headline.ts';

describe('whatHappened', () => {
  it('words a threshold and a change crossing with the metric’s own format', () => {
    expect(whatHappened({ kind: 'threshold', metric: 'price', direction: 'above', threshold: 90_000, value: 91_000 })).toBe(
      'BTC price (USD) rose above $90,000: now $91,000.',
    );
    expect(whatHappened({ kind: 'change', metric: 'price', windowDays: 30, changePercent: -21, value: 79_000 })).toBe(
      'BTC price (USD) changed −21.0 % over 30 days (now $79,000).',
    );
    expect(whatHappened({ kind: 'hashprice_low', days: 90, value: 50.05, low: 50.1 })).toBe(
      'Hashprice is now $50.05/PH/day, below the previous 90-day low of $50.10/PH/day.',
    );
  });

  it('leaves out a retarget change nobody knows, and the difficulty when it is missing', () => {
    expect(whatHappened({ kind: 'retarget', epochHeight: 891_072, changePercent: Number.NaN, difficulty: null })).toBe(
      'Difficulty adjusted at block 891,072.',
    );
    expect(whatHappened({ kind: 'retarget', epochHeight: 891_072, changePercent: 1.43, difficulty: 120e12 })).toBe(
      'Difficulty adjusted by +1.43 % at block 891,072: now 120.00 T.',
    );
  });

  it('says a close halving in hours: 200 blocks × 600 s = 33.3 h', () => {
    expect(whatHappened({ kind: 'halving', halvingHeight: 1_050_000, blocksLeft: 200, subsidyNowBtc: 3.125, subsidyThenBtc: 1.5625 })).toBe(
      'The halving at block 1,050,000 is 200 blocks away (about 33 hours at 10 minutes a block): the subsidy drops from 3.125 to 1.5625 BTC.',
    );
  });

  it('puts each pool that crossed on its own line', () => {
    const pools = [
      { name: 'AntPool', sharePercent: 26 },
      { name: 'ViaBTC', sharePercent: 25.4 },
    ];
    expect(whatHappened({ kind: 'pool_share', linePercent: 25, pools })).toBe(
      'AntPool found 26.0 % of blocks over the last week (line: 25 %).\nViaBTC found 25.4 % of blocks over the last week (line: 25 %).',
    );
  });

  it('names the models that sank and rose in one line', () => {
    expect(
      whatHappened({ kind: 'under_water', powerUsdPerKwh: 0.06, under: 2, was: 2, total: 17, hashprice: 44, sank: ['A'], rose: ['B'] }),
    ).toBe(
      "At $0.06/kWh, 2 of 17 models lose money at today's hashprice of $44.00/PH/day (was 2); now losing money: A; back above water: B.",
    );
  });
});

describe('alertReply', () => {
  const fired = { ruleId: 3, episode: 2, spec: { kind: 'ribbons' } as const, crossing: { kind: 'ribbons', to: 'capitulation' } as const };

  it('names the rule, how to pause it, and absolute times for the numbers', () => {
    const reply = alertReply(fired, headline());
    expect(reply).toMatchObject({
      title: 'Alert #3: hash ribbons turning to capitulation or recovery',
      tone: 'neutral',
      data: { ruleId: 3, episode: 2 },
    });
    expect(reply.lines).toEqual([
      'Hash ribbons turned to capitulation: the 30-day average hashrate fell below the 60-day average.',
      'Your rule #3: hash ribbons turning to capitulation or recovery.',
    ]);
    expect(reply.footer).toEqual([
      'Block 890,000 · mined 2025-04-01 11:55 UTC',
      'Numbers as of 2025-04-01 12:00 UTC · source: mempool.space',
      'Pause: /alert pause 3 · remove: /alert remove 3',
    ]);
  });

  it('warns when some numbers are stale, and says so when no source is known', () => {
    const reply = alertReply(fired, headline({ stale: true, sources: [] }));
    expect(reply.lines?.[2]).toBe('⚠ Some of these numbers are stale: an upstream source did not answer on the last refresh.');
    expect(reply.footer[1]).toBe('Numbers as of 2025-04-01 12:00 UTC · source: unknown');
  });
});
