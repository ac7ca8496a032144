/**
 * One look for every chart: a dark background that sits well in Discord's dark theme and in
 * Telegram's night mode, large type that stays legible when a phone shrinks 1200 px to 360 px.
 */
export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 675;

export const COLORS = {
  background: '#16181d',
  grid: 'rgba(255, 255, 255, 0.09)',
  text: '#eceef2',
  muted: '#a3a8b3',
  /** The main series of every chart (bitcoin orange). */
  primary: '#f7931a',
  secondary: '#4aa8ff',
  tertiary: '#ff5ca8',
  up: '#3ecf8e',
  down: '#ff6161',
  unknown: '#7d828c',
} as const;

/** Distinct, colour-blind-friendlier hues for pool bars, largest pool first. */
export const POOL_PALETTE = [
  '#f7931a',
  '#4aa8ff',
  '#3ecf8e',
  '#ff5ca8',
  '#b18cff',
  '#ffd23f',
  '#2ec4c4',
  '#ff8a5c',
  '#9ccc65',
  '#c9a27e',
] as const;

export const FONT_SIZES = { title: 34, subtitle: 22, tick: 20, axisTitle: 20, legend: 20, footer: 18, marker: 18 } as const;
