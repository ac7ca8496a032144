/**
 * PNG rendering with chart.js on @napi-rs/canvas (Skia): no browser, no system libraries. Each
 * render builds a fresh Chart on a fresh canvas and destroys it, so renders share no state and can
 * run in any order; the font and chart.js registration happen once per process.
 */
import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type Plugin, type Scale } from 'chart.js';
import { CHART_HEIGHT, CHART_WIDTH, COLORS, FONT_SIZES } from './theme.ts';
import { ensureChartFont } from './fonts.ts';

interface TimePoint {
  /** Seconds since the epoch. */
  t: number;
  v: number;
}

export interface LineSeries {
  label: string;
  points: TimePoint[];
  color: string;
  width?: number;
  /** Difficulty holds its value until the next retarget: draw steps, not slopes. */
  stepped?: boolean;
  /** Tint the area under the line (the main series of a single-series chart). */
  fill?: boolean;
  /** Plotted against the right-hand axis (a second unit, e.g. a count next to percentages). */
  right?: boolean;
  /** Dashed, to tell a series on the other axis apart. */
  dashed?: boolean;
}

/** A labelled dot on the chart, e.g. a difficulty adjustment "+5.9 %". */
export interface Marker {
  t: number;
  v: number;
  color: string;
  label?: string;
  /** Put the label under the dot (a fall: the earlier, higher step runs above it). */
  labelBelow?: boolean;
}

interface Frame {
  title: string;
  /** What is measured and over which period, e.g. "USD per PH/s per day · last 90 days". */
  subtitle: string;
  /** Bottom-left of the image: where the data came from. */
  source: string;
  generatedAtMs: number;
}

export interface LineChartSpec extends Frame {
  kind: 'line';
  fromSec: number;
  toSec: number;
  yTitle: string;
  formatY(v: number): string;
  series: LineSeries[];
  markers?: Marker[];
  /** Parts of one whole (subsidy + fees): each series sits on the one before and the areas fill. */
  stacked?: boolean;
  /** The right-hand axis, for series marked `right`. */
  right?: { title: string; format(v: number): string; min?: number; max?: number };
}

interface BarChartSpec extends Frame {
  kind: 'bar';
  xTitle: string;
  formatX(v: number): string;
  bars: { label: string; value: number; color: string }[];
}

export type ChartSpec = LineChartSpec | BarChartSpec;

let ready = false;
function setup(): void {
  if (ready) return;
  const font = ensureChartFont();
  Chart.register(...registerables);
  Chart.defaults.font.family = font.family;
  Chart.defaults.color = COLORS.text;
  ready = true;
}

const DAY = 86_400;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Tick positions on UTC day or month boundaries, about six across the range. */
export function timeTicks(fromSec: number, toSec: number): number[] {
  const days = (toSec - fromSec) / DAY;
  if (days > 120) {
    const out: number[] = [];
    const d = new Date(fromSec * 1000);
    let y = d.getUTCFullYear();
    let m = d.getUTCMonth() + 1;
    const step = days > 240 ? 2 : 1;
    for (;;) {
      if (m > 11) {
        y += Math.floor(m / 12);
        m %= 12;
      }
      const t = Date.UTC(y, m, 1) / 1000;
      if (t > toSec) return out;
      out.push(t);
      m += step;
    }
  }
  const step = days <= 10 ? 1 : days <= 45 ? 5 : 15;
  const first = Math.ceil(fromSec / DAY) * DAY;
  const out: number[] = [];
  for (let t = first; t <= toSec; t += step * DAY) out.push(t);
  return out;
}

export function tickLabel(tSec: number, spanDays: number): string {
  const d = new Date(tSec * 1000);
  const month = MONTHS[d.getUTCMonth()]!;
  return spanDays > 120 ? `${month} ’${String(d.getUTCFullYear()).slice(2)}` : `${d.getUTCDate()} ${month}`;
}

function stamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Background, and the source and generation time written into the image itself. */
function framePlugin(frame: Frame): Plugin {
  return {
    id: 'hashwatchFrame',
    beforeDraw(chart) {
      const g = chart.ctx;
      g.save();
      g.fillStyle = COLORS.background;
      g.fillRect(0, 0, chart.width, chart.height);
      g.restore();
    },
    afterDraw(chart) {
      const g = chart.ctx;
      g.save();
      g.font = `${FONT_SIZES.footer}px ${Chart.defaults.font.family}`;
      g.fillStyle = COLORS.muted;
      g.textBaseline = 'bottom';
      g.textAlign = 'left';
      g.fillText(frame.source, 24, chart.height - 12);
      g.textAlign = 'right';
      g.fillText(`hashwatch · ${stamp(frame.generatedAtMs)}`, chart.width - 24, chart.height - 12);
      g.restore();
    },
  };
}

function markerPlugin(markers: readonly Marker[]): Plugin {
  return {
    id: 'hashwatchMarkers',
    afterDatasetsDraw(chart) {
      const x = chart.scales.x;
      const y = chart.scales.y;
      if (!x || !y) return;
      const g = chart.ctx;
      g.save();
      g.font = `bold ${FONT_SIZES.marker}px ${Chart.defaults.font.family}`;
      g.textAlign = 'right';
      for (const m of markers) {
        const px = x.getPixelForValue(m.t);
        const py = y.getPixelForValue(m.v);
        if (px < chart.chartArea.left - 1 || px > chart.chartArea.right + 1) continue;
        g.fillStyle = m.color;
        g.beginPath();
        g.arc(px, py, 7, 0, Math.PI * 2);
        g.fill();
        if (m.label) {
          // Left of the dot, on the side away from both step segments that meet there.
          g.textBaseline = m.labelBelow ? 'top' : 'bottom';
          g.fillText(m.label, px - 10, m.labelBelow ? py + 8 : py - 8);
        }
      }
      g.restore();
    },
  };
}

const titles = (frame: Frame) => ({
  title: {
    display: true,
    text: frame.title,
    color: COLORS.text,
    font: { size: FONT_SIZES.title, weight: 'bold' as const },
    padding: { top: 8, bottom: 4 },
  },
  subtitle: { display: true, text: frame.subtitle, color: COLORS.muted, font: { size: FONT_SIZES.subtitle }, padding: { bottom: 12 } },
});

const axisTitle = (text: string) => ({ display: true, text, color: COLORS.muted, font: { size: FONT_SIZES.axisTitle } });
const grid = { color: COLORS.grid };
const ticksFont = { size: FONT_SIZES.tick };

function lineConfig(spec: LineChartSpec): ChartConfiguration<'line', { x: number; y: number }[]> {
  const spanDays = (spec.toSec - spec.fromSec) / DAY;
  const ticks = timeTicks(spec.fromSec, spec.toSec);
  const single = spec.series.length === 1;
  return {
    type: 'line',
    data: {
      datasets: spec.series.map((s, i) => ({
        label: s.label,
        data: s.points.map((p) => ({ x: p.t, y: p.v })),
        borderColor: s.color,
        backgroundColor: spec.stacked ? `${s.color}99` : `${s.color}33`,
        borderWidth: s.width ?? 4,
        pointRadius: 0,
        stepped: s.stepped ? ('before' as const) : false,
        fill: spec.stacked ? (i === 0 ? 'origin' : '-1') : s.fill ? 'start' : false,
        yAxisID: s.right ? 'y2' : 'y',
        borderDash: s.dashed ? [14, 8] : [],
        tension: 0,
      })),
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      parsing: false,
      normalized: true,
      layout: { padding: { left: 16, right: 32, bottom: 36, top: 4 } },
      scales: {
        x: {
          type: 'linear',
          min: spec.fromSec,
          max: spec.toSec,
          grid,
          afterBuildTicks: (scale: Scale) => {
            scale.ticks = ticks.map((value) => ({ value }));
          },
          ticks: { font: ticksFont, color: COLORS.text, maxRotation: 0, callback: (v) => tickLabel(Number(v), spanDays) },
        },
        y: {
          grid,
          stacked: spec.stacked === true,
          ...(spec.stacked ? { beginAtZero: true } : {}),
          // Headroom so the top of the line and its markers' labels stay inside the plot.
          grace: '8%',
          title: axisTitle(spec.yTitle),
          ticks: { font: ticksFont, color: COLORS.text, maxTicksLimit: 7, callback: (v) => spec.formatY(Number(v)) },
        },
        ...(spec.right
          ? {
              y2: {
                position: 'right' as const,
                min: spec.right.min,
                max: spec.right.max,
                grid: { drawOnChartArea: false },
                title: axisTitle(spec.right.title),
                ticks: {
                  font: ticksFont,
                  color: COLORS.text,
                  precision: 0,
                  callback: (v: string | number) => spec.right!.format(Number(v)),
                },
              },
            }
          : {}),
      },
      plugins: {
        ...titles(spec),
        legend: { display: !single, labels: { color: COLORS.text, font: { size: FONT_SIZES.legend }, boxWidth: 28, boxHeight: 4 } },
        tooltip: { enabled: false },
      },
    },
    plugins: [framePlugin(spec), markerPlugin(spec.markers ?? [])],
  };
}

function barConfig(spec: BarChartSpec): ChartConfiguration<'bar', number[], string> {
  return {
    type: 'bar',
    data: {
      labels: spec.bars.map((b) => b.label),
      datasets: [
        {
          data: spec.bars.map((b) => b.value),
          backgroundColor: spec.bars.map((b) => b.color),
          borderWidth: 0,
          barPercentage: 0.85,
          categoryPercentage: 0.9,
        },
      ],
    },
    options: {
      indexAxis: 'y',
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      layout: { padding: { left: 16, right: 96, bottom: 36, top: 4 } },
      scales: {
        x: {
          beginAtZero: true,
          grid,
          title: axisTitle(spec.xTitle),
          ticks: { font: ticksFont, color: COLORS.text, callback: (v) => spec.formatX(Number(v)) },
        },
        y: { grid: { display: false }, ticks: { font: { size: FONT_SIZES.legend }, color: COLORS.text } },
      },
      plugins: { ...titles(spec), legend: { display: false }, tooltip: { enabled: false } },
    },
    plugins: [framePlugin(spec), barValuePlugin(spec)],
  };
}

/** The value at the end of each bar, so a phone user need not read it off the axis. */
function barValuePlugin(spec: BarChartSpec): Plugin {
  return {
    id: 'hashwatchBarValues',
    afterDatasetsDraw(chart) {
      const meta = chart.getDatasetMeta(0);
      const g = chart.ctx;
      g.save();
      g.font = `bold ${FONT_SIZES.legend}px ${Chart.defaults.font.family}`;
      g.fillStyle = COLORS.text;
      g.textBaseline = 'middle';
      g.textAlign = 'left';
      meta.data.forEach((bar, i) => {
        const b = spec.bars[i];
        if (b) g.fillText(spec.formatX(b.value), bar.x + 8, bar.y);
      });
      g.restore();
    },
  };
}

/** Renders one chart to a PNG of CHART_WIDTH × CHART_HEIGHT. */
export function renderChart(spec: ChartSpec): Buffer {
  setup();
  const canvas = createCanvas(CHART_WIDTH, CHART_HEIGHT);
  const config = spec.kind === 'line' ? lineConfig(spec) : barConfig(spec);
  // chart.js types its context as the DOM one; Skia's context implements the same drawing API.
  const chart = new Chart(canvas.getContext('2d') as unknown as CanvasRenderingContext2D, config as ChartConfiguration);
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}
