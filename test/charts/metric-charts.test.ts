import { describe, expect, it } from 'vitest';
import { renderDigestChart } from '../../src/digests/build.ts';
import { buildChart, CHART_METRICS } from '../../src/charts/metric-charts.ts';
import { COLORS } from '../../src/charts/theme.ts';
import { sma } from '../../src/core/metrics/hashrate.ts';
import { backfillHistory } from '../../src/market-data/backfill.ts';
import { dailyMean } from '../../src/market-data/daily.ts';
import { silentLogger } from '../../src/logger.ts';
import { UpstreamError } from '../../src/core/market.ts';
import { openStore } from '../../src/store/index.ts';
import { stubMarket } from '../market-data/stub-market.ts';
import { countColour, decode, pngSize } from './png.ts';

const DAY = 86_400;
const NOW = Date.UTC(2025, 3, 1, 15);
const NOW_SEC = NOW / 1000;
const historyCalls = (calls: Record<string, number>) =>
  Object.entries(calls)
    .filter(([k]) => /History/.test(k))
    .reduce((a, [, n]) => a + n, 0);

describe('buildChart', () => {
  it.each(CHART_METRICS)('%s: a 1200×675 PNG with a summary, footer and alt text', async (metric) => {
    const built = await buildChart({ metric, range: '90d', market: stubMarket(NOW_SEC), now: NOW });
    expect(pngSize(built.chart.png)).toEqual({ width: 1200, height: 675 });
    expect(built.chart.filename).toBe(`hashwatch-${metric}-90d.png`);
    expect(built.chart.alt.length).toBeGreaterThan(40);
    expect(built.title).toMatch(/last 90 days/);
    expect(built.footer.join('\n')).toMatch(/Source: stub-mempool \(fetched 1 min ago\)/);
    const summaries: Partial<Record<typeof metric, RegExp>> = {
      hashrate: /^Latest daily estimate .* · daily low .* · daily peak /,
      revenue: /^Latest \$[\d.]+M a day \(\d{4}-\d\d-\d\d\): subsidy \$.*, fees \$.* · highest fee share /,
    };
    if (metric !== 'pools') expect(built.summary).toMatch(summaries[metric] ?? /^(Latest|Current) .* · low .* · high /);
  });

  it('hashprice: latest, low and high are the series’ own, and the line is drawn in the primary colour', async () => {
    const market = stubMarket(NOW_SEC);
    const built = await buildChart({ metric: 'hashprice', range: '30d', market, now: NOW });
    const values = market.history.rewards.filter((r) => r.timestampSec >= NOW_SEC - 30 * DAY);
    expect(built.data.points).toBe(values.length);
    const data = built.data as { latest: number; low: number; high: number; lowSec: number };
    expect(data.low).toBeLessThanOrEqual(data.latest);
    expect(data.high).toBeGreaterThanOrEqual(data.latest);
    expect(built.summary).toContain(`$${data.latest.toFixed(2)}/PH/day`);
    expect(built.footer.at(-1)).toMatch(/^Newest point 2025-04-01 12:00 UTC \(3\.0 h ago\)$/);
    expect(countColour(await decode(built.chart.png), COLORS.primary, 10)).toBeGreaterThan(2000);
  });

  it('hashprice-btc is in sats per PH/s per day', async () => {
    const built = await buildChart({ metric: 'hashprice-btc', range: '7d', market: stubMarket(NOW_SEC), now: NOW });
    expect(built.summary).toMatch(/Latest [\d,]+ sats\/PH\/day/);
  });

  it('hashrate: the 30- and 60-day ribbons are sma() of the daily series, drawn in their colours', async () => {
    const market = stubMarket(NOW_SEC);
    const built = await buildChart({ metric: 'hashrate', range: '90d', market, now: NOW });
    const daily = dailyMean(market.history.hashrates.map((p) => ({ t: p.timestampSec, v: p.avgHashrate })));
    expect(built.data.sma30).toBeCloseTo(sma(daily, 30).at(-1)!.v, -6);
    expect(built.data.sma60).toBeCloseTo(sma(daily, 60).at(-1)!.v, -6);
    expect(built.summary).toMatch(/30-day avg [\d.]+ EH\/s (below|above) 60-day avg [\d.]+ EH\/s/);
    const pixels = await decode(built.chart.png);
    expect(countColour(pixels, COLORS.secondary, 10)).toBeGreaterThan(1500);
    expect(countColour(pixels, COLORS.tertiary, 10)).toBeGreaterThan(1500);
  });

  it('difficulty: one marker per retarget in the range, and the current value', async () => {
    const market = stubMarket(NOW_SEC);
    const built = await buildChart({ metric: 'difficulty', range: '90d', market, now: NOW });
    const inRange = market.history.difficulty.filter((p) => p.timeSec >= NOW_SEC - 90 * DAY);
    expect(built.data.adjustments).toBe(inRange.length);
    expect(built.summary).toContain(`since the retarget of ${new Date(inRange.at(-1)!.timeSec * 1000).toISOString().slice(0, 10)}`);
    expect(built.summary).toContain(`${inRange.length} adjustments`);
    const pixels = await decode(built.chart.png);
    expect(countColour(pixels, COLORS.up, 8) + countColour(pixels, COLORS.down, 8)).toBeGreaterThan(inRange.length * 50);
  });

  it('difficulty over 7 days with no retarget still draws the value in force', async () => {
    const market = stubMarket(NOW_SEC);
    const built = await buildChart({ metric: 'difficulty', range: '7d', market, now: NOW });
    expect(built.data.latest).toBe(market.history.difficulty.at(-1)!.difficulty);
  });

  it('pools: top pools, Others and Unknown add up to 100 %', async () => {
    // 7 days is the bar chart of the whole window (30 days and more draw the weekly history).
    const built = await buildChart({ metric: 'pools', range: '7d', market: stubMarket(NOW_SEC), now: NOW });
    const shares = built.data.shares as { name: string; percent: number }[];
    expect(shares.reduce((a, s) => a + s.percent, 0)).toBeCloseTo(100, 9);
    expect(shares.map((s) => s.name)).toContain('Unknown');
    expect(shares.some((s) => s.name.startsWith('Others ('))).toBe(true);
    expect(built.data.window).toBe('1w');
    expect(built.summary).toMatch(/^Largest: Foundry USA [\d.]+ % · top 3 together [\d.]+ % of [\d,]+ blocks · Unknown [\d.]+ %$/);
  });

  it('reads stored history (back-filled) without calling the history endpoints', async () => {
    const market = stubMarket(NOW_SEC);
    const store = openStore(':memory:');
    await backfillHistory({ market, snapshots: store.snapshots, logger: silentLogger, now: NOW });
    const before = historyCalls(market.callCounts());
    for (const metric of ['hashprice', 'hashrate', 'difficulty', 'fees', 'price'] as const) {
      const built = await buildChart({ metric, range: '1y', market, snapshots: store.snapshots, now: NOW });
      expect(built.data.origin, metric).toBe('store');
      expect(built.footer[0]).toBe('Source: stub-mempool (history stored by hashwatch)');
    }
    expect(historyCalls(market.callCounts())).toBe(before);
    await store.close();
  });

  it('says clearly when there is nothing to draw', async () => {
    const market = stubMarket(NOW_SEC);
    market.failing.add('priceHistory');
    await expect(buildChart({ metric: 'price', range: '30d', market, now: NOW })).rejects.toThrow(UpstreamError);
    const empty = stubMarket(NOW_SEC);
    empty.history.prices.length = 0;
    await expect(buildChart({ metric: 'price', range: '7d', market: empty, now: NOW })).rejects.toThrow(
      /Not enough Bitcoin price history for the last 7 days/,
    );
  });
});

describe('renderDigestChart', () => {
  it('is the 30-day USD hashprice chart', async () => {
    const chart = await renderDigestChart({ market: stubMarket(NOW_SEC), now: NOW });
    expect(chart.filename).toBe('hashwatch-hashprice-30d.png');
    expect(pngSize(chart.png)).toEqual({ width: 1200, height: 675 });
    expect(chart.alt).toMatch(/^Line chart of Hashprice \(USD\) in USD per PH\/s per day, last 30 days/);
  });
});
