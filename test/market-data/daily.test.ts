/**
 * Daily history is daily (issue 9 §1): a day is the mean of its buckets, and historical hashprice uses
 * the price of the day it describes, not the price mempool linked to the blocks (the next price row,
 * which before mid-2022 is up to a week later).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashprice } from '../../src/core/metrics/hashprice.ts';
import { changePercent } from '../../src/core/metrics/history.ts';
import { dailyHashprice, dayPrices } from '../../src/market-data/daily.ts';
import type { PricePoint, RewardHistoryPoint } from '../../src/core/market.ts';

const HOUR = 3600;
const DAY = 86_400;
const A = Date.UTC(2025, 2, 24) / 1000; // 2025-03-24 00:00 UTC
const B = A + DAY; // 2025-03-25
const D = 100e12;

// Hourly prices: day A 80,000 until noon and 78,000 after (mean 79,000, last hour 78,000); day B 90,000.
const prices: PricePoint[] = [
  ...Array.from({ length: 24 }, (_, h) => ({ timeSec: A + h * HOUR, usd: h < 12 ? 80_000 : 78_000 })),
  ...Array.from({ length: 24 }, (_, h) => ({ timeSec: B + h * HOUR, usd: 90_000 })),
];
// 12-hour reward buckets (mempool's 3y resolution). Their USD column is what mempool linked to the
// blocks; here day A's rows carry day B's price, as a weekly-era row would.
const rewards: RewardHistoryPoint[] = [
  { avgHeight: 890_000, timestampSec: A + 6 * HOUR, avgRewardsSats: 314_000_000, usd: 90_000 },
  { avgHeight: 890_072, timestampSec: A + 18 * HOUR, avgRewardsSats: 316_000_000, usd: 90_000 },
  { avgHeight: 890_144, timestampSec: B + 6 * HOUR, avgRewardsSats: 320_000_000, usd: 90_000 },
  { avgHeight: 890_216, timestampSec: B + 18 * HOUR, avgRewardsSats: 320_000_000, usd: 90_000 },
];
const difficulty = [{ timeSec: A - 10 * DAY, height: 889_056, difficulty: D, adjustment: 1.01 }];

describe('dailyHashprice', () => {
  it("averages the day's buckets and multiplies by that day's mean price (hand-checked)", () => {
    const days = dailyHashprice(rewards, difficulty, prices);
    // blocks per PH/s per day = 86400 × 1e15 / (1e14 × 2^32) = 2.0116567611694336e-4
    // day A: mean reward (3.14 + 3.16) / 2 = 3.15 BTC → 6.336718797683716e-4 BTC/PH/day,
    //        × mean price (12 × 80,000 + 12 × 78,000) / 24 = 79,000 → $50.060078501701355
    // (the old back-fill took the last bucket, 3.16 BTC, at the linked $90,000: $57.21)
    expect(days[0]).toEqual({
      t: A,
      btcPerPhDay: expect.closeTo(6.336718797683716e-4, 15),
      usdPerPhDay: expect.closeTo(50.060078501701355, 9),
    });
    // day B (the newest, labelled at its newest bucket): 3.2 BTC × 2.0116567611694336e-4 × 90,000 = $57.93571472167969
    expect(days[1]).toEqual({
      t: B + 18 * HOUR,
      btcPerPhDay: expect.closeTo(6.437301635742188e-4, 15),
      usdPerPhDay: expect.closeTo(57.93571472167969, 9),
    });
  });

  it('"1 day ago" is the previous UTC day, in hashprice as in price', () => {
    const days = dailyHashprice(rewards, difficulty, prices);
    const anchor = B + 21 * HOUR;
    const hashpriceSeries = days.map((d) => ({ t: d.t, v: d.usdPerPhDay! })).slice(0, -1);
    // 57.93571472167969 / 50.060078501701355 − 1 = +15.73 %: the day before B is A, whatever the hour.
    expect(changePercent(hashpriceSeries, 57.93571472167969, anchor, 1)).toBeCloseTo((57.93571472167969 / 50.060078501701355 - 1) * 100, 9);
    // and the price series compares with the same day: 90,000 / 79,000 − 1 = +13.92 %
    const priceOf = dayPrices(prices);
    expect(changePercent([{ t: A, v: priceOf(A)! }], 90_000, anchor, 1)).toBeCloseTo((90_000 / 79_000 - 1) * 100, 9);
  });

  it('each bucket is valued at the difficulty in force at its time (<=); buckets before the first are skipped', () => {
    const D0 = 113_757_508_810_854;
    const day = A;
    const at = (h: number): RewardHistoryPoint => ({ avgHeight: 0, timestampSec: day + h * HOUR, avgRewardsSats: 314_500_000 });
    const steps = [
      { timeSec: day + 12 * HOUR, height: 2016, difficulty: 2 * D0, adjustment: 2 },
      { timeSec: day + 4 * HOUR, height: 0, difficulty: D0 },
    ]; // out of order on purpose
    const flat = Array.from({ length: 24 }, (_, h) => ({ timeSec: day + h * HOUR, usd: 69_880 }));
    const [d] = dailyHashprice([at(2), at(4), at(12)], steps, flat);
    // 02:00 is before any difficulty: skipped. 04:00 at D0 is the live hand check, $38.86398720675945;
    // 12:00 at 2 D0 is half that: mean (1 + 0.5) / 2 × 38.86398720675945 = 29.14799040506959.
    expect(d!.usdPerPhDay).toBeCloseTo(0.75 * 38.86398720675945, 9);
  });

  it('one bucket and one price row on a day give exactly the live hashprice() (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e9, max: 1e16, noNaN: true }),
        fc.integer({ min: 1, max: 10_000_000_000 }),
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        (d, sats, usd) => {
          const [p] = dailyHashprice(
            [{ avgHeight: 0, timestampSec: A + HOUR, avgRewardsSats: sats }],
            [{ timeSec: 0, height: 0, difficulty: d }],
            [{ timeSec: A, usd }],
          );
          const live = hashprice({ difficulty: d, subsidyBtc: sats / 1e8, avgFeesBtc: 0, priceUsd: usd });
          return p!.btcPerPhDay === live.btcPerPhDay && Math.abs(p!.usdPerPhDay! - live.usdPerPhDay) <= 1e-12 * live.usdPerPhDay;
        },
      ),
    );
  });

  it('weekly-era prices stand for the days after them (up to 8 days); the linked price only where no row reaches', () => {
    const weekly: PricePoint[] = [{ timeSec: A - 3 * DAY, usd: 50_000 }];
    expect(dayPrices(weekly)(A)).toBe(50_000);
    expect(dayPrices(weekly)(A + 8 * DAY)).toBeUndefined();
    expect(dayPrices(weekly, [{ t: A + 8 * DAY + 600, v: 51_000 }])(A + 8 * DAY)).toBe(51_000);
  });
});
