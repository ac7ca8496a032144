/**
 * What a user can ask to be alerted about. A rule is plain data (stored as JSON); evaluation lives
 * in evaluate.ts and the chat syntax in parse.ts.
 */
import { METRICS, type MetricId } from './metrics.ts';
import { plural } from '../core/plural.ts';
import { int } from '../core/format.ts';
import { kwhPrice } from '../core/metrics/fleet.ts';

export type RuleSpec =
  | { kind: 'threshold'; metric: MetricId; direction: 'above' | 'below'; value: number }
  /** Change of the metric over the last windowDays, in percent; fires at or past `percent` in that direction. */
  | { kind: 'change'; metric: MetricId; direction: 'up' | 'down'; percent: number; windowDays: number }
  | { kind: 'retarget' }
  | { kind: 'hashprice_low'; days: number }
  | { kind: 'ribbons' }
  | { kind: 'pool_share'; percent: number }
  /** Once per halving, when the blocks left to it fall to `blocks` or fewer. */
  | { kind: 'halving'; blocks: number }
  /** Whenever the number of ASIC models losing money at this power price changes. */
  | { kind: 'under_water'; powerUsdPerKwh: number };

export const DEFAULT_COOLDOWN_SEC = 3600;

export function describeRule(spec: RuleSpec): string {
  switch (spec.kind) {
    case 'threshold': {
      const m = METRICS[spec.metric];
      return `${m.label} ${spec.direction} ${m.format(spec.value)}`;
    }
    case 'change':
      return `${METRICS[spec.metric].label} ${spec.direction} ${spec.percent} % or more over ${plural(spec.windowDays, 'day')}`;
    case 'retarget':
      return 'every difficulty adjustment (with the actual change)';
    case 'hashprice_low':
      return `hashprice (USD) at a new ${spec.days}-day low`;
    case 'ribbons':
      return 'hash ribbons turning to capitulation or recovery';
    case 'pool_share':
      return `any pool crossing ${spec.percent} % of blocks over the last week`;
    case 'halving':
      return `the next halving ${int(spec.blocks)} blocks away`;
    case 'under_water':
      return `the number of models losing money at ${kwhPrice(spec.powerUsdPerKwh)} changing`;
  }
}
