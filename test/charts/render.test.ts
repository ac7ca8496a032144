import { describe, expect, it } from 'vitest';
import { ensureChartFont } from '../../src/charts/fonts.ts';
import { renderChart, tickLabel, timeTicks, type LineChartSpec } from '../../src/charts/render.ts';
import { CHART_HEIGHT, CHART_WIDTH, COLORS, POOL_PALETTE } from '../../src/charts/theme.ts';
import { countColour, decode, greyVariance, inkIn, pngSize } from './png.ts';

const DAY = 86_400;
const TO = Date.UTC(2025, 3, 1, 12) / 1000;
const FROM = TO - 90 * DAY;

function lineSpec(overrides: Partial<LineChartSpec> = {}): LineChartSpec {
  const points = Array.from({ length: 91 }, (_, i) => ({ t: FROM + i * DAY, v: 50 + 10 * Math.sin(i / 9) }));
  return {
    kind: 'line',
    title: 'Hashprice (USD)',
    subtitle: 'USD per PH/s per day · last 90 days',
    source: 'Source: mempool.space',
    generatedAtMs: TO * 1000,
    fromSec: FROM,
    toSec: TO,
    yTitle: 'USD per PH/s per day',
    formatY: (v) => `$${v}`,
    series: [{ label: 'Hashprice', points, color: COLORS.primary }],
    ...overrides,
  };
}

describe('renderChart', () => {
  it('draws a line chart as a PNG of the stated size, on the dark background, in the line colour', async () => {
    const png = renderChart(lineSpec());
    expect(pngSize(png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    const pixels = await decode(png);
    expect(pixels.width).toBe(1200);
    expect(greyVariance(pixels)).toBeGreaterThan(100);
    expect(countColour(pixels, COLORS.background, 2)).toBeGreaterThan(0.4 * 1200 * 675);
    // A 4 px line across ~1,000 px of plot is several thousand pixels of exactly that colour.
    expect(countColour(pixels, COLORS.primary, 10)).toBeGreaterThan(3000);
  });

  it('writes the title and the source into the image (a font was found and used)', async () => {
    const withText = await decode(renderChart(lineSpec()));
    const titleBand = { x0: 300, y0: 0, x1: 900, y1: 50 };
    const sourceBand = { x0: 0, y0: 640, x1: 300, y1: 675 };
    expect(inkIn(withText, COLORS.background, titleBand)).toBeGreaterThan(1500);
    expect(inkIn(withText, COLORS.background, sourceBand)).toBeGreaterThan(300);
    const noText = await decode(renderChart(lineSpec({ title: '', subtitle: '', source: '' })));
    expect(inkIn(noText, COLORS.background, sourceBand)).toBeLessThan(inkIn(withText, COLORS.background, sourceBand));
  });

  it('registers a font shipped in an npm package before falling back to the system', () => {
    const font = ensureChartFont();
    expect(font.files.length).toBeGreaterThan(0);
    expect(font.files[0]).toMatch(/@fontsource[\\/]inter[\\/]files[\\/]inter-latin-400-normal\.woff2$/);
  });

  it('draws markers in their own colour and several series in theirs', async () => {
    const a = Array.from({ length: 91 }, (_, i) => ({ t: FROM + i * DAY, v: 40 + i / 10 }));
    const b = a.map((p) => ({ ...p, v: p.v + 20 }));
    const png = renderChart(
      lineSpec({
        series: [
          { label: 'A', points: a, color: COLORS.secondary },
          { label: 'B', points: b, color: COLORS.tertiary, stepped: true },
        ],
        markers: [{ t: FROM + 45 * DAY, v: 64.5, color: COLORS.up, label: '+5.0 %' }],
      }),
    );
    const pixels = await decode(png);
    expect(countColour(pixels, COLORS.secondary, 10)).toBeGreaterThan(2000);
    expect(countColour(pixels, COLORS.tertiary, 10)).toBeGreaterThan(2000);
    expect(countColour(pixels, COLORS.up, 10)).toBeGreaterThan(100);
  });

  it('draws a bar chart with one colour per bar', async () => {
    const png = renderChart({
      kind: 'bar',
      title: 'Mining pools',
      subtitle: 'Share of blocks',
      source: 'Source: mempool.space',
      generatedAtMs: TO * 1000,
      xTitle: '% of blocks',
      formatX: (v) => `${v.toFixed(1)} %`,
      bars: [
        { label: 'Foundry USA', value: 30, color: POOL_PALETTE[0] },
        { label: 'AntPool', value: 20, color: POOL_PALETTE[1] },
        { label: 'Unknown', value: 2, color: COLORS.unknown },
      ],
    });
    expect(pngSize(png)).toEqual({ width: 1200, height: 675 });
    const pixels = await decode(png);
    expect(countColour(pixels, POOL_PALETTE[0], 6)).toBeGreaterThan(10_000);
    expect(countColour(pixels, POOL_PALETTE[1], 6)).toBeGreaterThan(5_000);
    expect(countColour(pixels, COLORS.unknown, 6)).toBeGreaterThan(300);
  });

  it('renders an empty series without throwing', () => {
    expect(pngSize(renderChart(lineSpec({ series: [{ label: 'none', points: [], color: COLORS.primary }] })))).toEqual({
      width: 1200,
      height: 675,
    });
  });
});

describe('time axis', () => {
  it('puts ticks on UTC midnights for short ranges and on month starts for a year', () => {
    const week = timeTicks(TO - 7 * DAY, TO);
    expect(week).toHaveLength(7);
    expect(week.every((t) => t % DAY === 0)).toBe(true);
    expect(tickLabel(week[0]!, 7)).toBe('26 Mar');
    const month = timeTicks(TO - 30 * DAY, TO);
    expect(month.map((t) => (t - month[0]!) / DAY)).toEqual([0, 5, 10, 15, 20, 25]);
    const year = timeTicks(TO - 365 * DAY, TO);
    expect(year.map((t) => new Date(t * 1000).toISOString().slice(0, 10))).toEqual([
      '2024-05-01',
      '2024-07-01',
      '2024-09-01',
      '2024-11-01',
      '2025-01-01',
      '2025-03-01',
    ]);
    expect(tickLabel(year[0]!, 365)).toBe('May ’24');
  });
});
