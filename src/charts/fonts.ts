/**
 * Chart text needs a font the renderer can always find: a headless server or CI machine may have
 * no system fonts at all, and then every label would silently vanish. Inter ships inside an npm
 * package (@fontsource/inter, woff2), so it installs with the project; DejaVu Sans from the system
 * is the second choice.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GlobalFonts } from '@napi-rs/canvas';

const CHART_FONT_FAMILY = 'HashwatchSans';

const require = createRequire(import.meta.url);

function packaged(weight: 400 | 700): string | undefined {
  try {
    return require.resolve(`@fontsource/inter/files/inter-latin-${weight}-normal.woff2`);
  } catch {
    return undefined;
  }
}

const SYSTEM: Record<400 | 700, string> = {
  400: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  700: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
};

export interface ChartFont {
  family: string;
  /** The files actually registered, for the benchmark and for diagnosing blank labels. */
  files: string[];
}

let registered: ChartFont | undefined;

/** Registers the chart font once per process; later calls are free. Throws when no font is usable. */
export function ensureChartFont(): ChartFont {
  if (registered) return registered;
  const files: string[] = [];
  for (const weight of [400, 700] as const) {
    const candidates = [packaged(weight), SYSTEM[weight]].filter((f): f is string => !!f && existsSync(f));
    const file = candidates.find((f) => GlobalFonts.registerFromPath(f, CHART_FONT_FAMILY) !== null);
    if (file) files.push(file);
  }
  if (files.length === 0) {
    throw new Error('No font for chart labels: install @fontsource/inter (npm install) or DejaVu Sans (fonts-dejavu-core)');
  }
  registered = { family: CHART_FONT_FAMILY, files };
  return registered;
}
