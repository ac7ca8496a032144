/**
 * The metrics a rule can watch, as alerts see them: the catalog's entries that have threshold
 * settings (src/core/metrics/catalog.ts says what each one is), and the re-arm margins.
 */
import { ALERT_METRIC_IDS, CATALOG, type AlertMetricId, type MetricEntry, type ThresholdSettings } from '../core/metrics/catalog.ts';

export { hashpriceAfterRetarget } from '../core/metrics/catalog.ts';

export const METRIC_IDS = ALERT_METRIC_IDS;
export type MetricId = AlertMetricId;

export type MetricDef = MetricEntry & ThresholdSettings;

const RELATIVE_MARGIN = 0.02;

export const METRICS = Object.fromEntries(
  ALERT_METRIC_IDS.map((id) => {
    const entry: MetricEntry = CATALOG[id];
    return [id, { ...entry, ...CATALOG[id].threshold }];
  }),
) as Record<MetricId, MetricDef>;

/** A value in the unit people type it in ("600 EH/s", "120 T", "40 USD/PH/day"), for messages. */
export function typed(metric: MetricId, v: number): string {
  const def = METRICS[metric];
  return `${Number((v / (def.scale ?? 1)).toPrecision(12))} ${def.unit}`;
}

export function rearmMargin(metric: MetricId, threshold: number): number {
  const floor = METRICS[metric].rearmFloor;
  if (floor === null) return 0;
  return Math.max(RELATIVE_MARGIN * Math.abs(threshold), floor);
}

/** Change rules re-arm once the change is back inside the line by 2 % of it, at least half a point. */
export function changeMargin(percent: number): number {
  return Math.max(RELATIVE_MARGIN * Math.abs(percent), 0.5);
}
