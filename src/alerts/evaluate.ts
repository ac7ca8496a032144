/**
 * Alert rules against a Headline, as a pure function: rules and numbers in, decisions out (each
 * rule's next state, and what it fired on as data). No store, no clock, no logger: the engine
 * (engine.ts) picks the rules to look at, supplies the past values change rules compare with, and
 * commits the decisions; messages.ts words them.
 *
 * Crossing semantics: a rule fires when its condition becomes true, never again while it stays
 * true, and re-arms only once the value is back past the threshold by the margin (metrics.ts).
 * A new rule takes the current value as its starting point: if the condition already holds it
 * starts disarmed and fires on the next crossing, not at once. Cooldown: a crossing inside the
 * rule's cooldown keeps the rule armed and fires when the cooldown ends, if still true.
 * Events (retarget, ribbons, pool crossings, the halving, models under water; events.ts) fire
 * once per distinct event and ignore cooldowns.
 */
import type { Headline } from '../core/headline.ts';
import type { AlertState } from '../store/index.ts';
import { changeMargin, METRICS, rearmMargin, type MetricId } from './metrics.ts';
import type { RuleSpec } from './rules.ts';
import type { ThresholdSpec } from './threshold-rules.ts';
import { nextHalving } from '../core/metrics/subsidy.ts';
import { eventStep, type EventCrossing } from './events.ts';

const DAY_SEC = 86_400;
/** A stored value counts as "the value N days ago" only if it is this close to that moment. */
const SNAPSHOT_TOLERANCE_SEC = 36 * 3600;

export interface RuleInput {
  id: number;
  spec: RuleSpec;
  cooldownSec: number;
  state: AlertState;
}

/**
 * Past values of a metric, for change rules: the last one recorded at or before a moment. Answered
 * synchronously: the engine fetches the moments pastMoments names before it evaluates.
 */
export interface PastValues {
  atOrBefore(metric: MetricId, tsSec: number): { tsSec: number; value: number } | undefined;
}

/** A moment a change rule compares with: its metric, and the second its window starts. */
export interface PastMoment {
  metric: MetricId;
  tsSec: number;
}

/**
 * Every moment evaluating these rules against the headline will ask PastValues about, each once:
 * a handful (one per metric and window), however many rules share them.
 */
export function pastMoments(specs: Iterable<RuleSpec>, h: Headline): PastMoment[] {
  const seen = new Map<string, PastMoment>();
  for (const spec of specs) {
    if (spec.kind !== 'change') continue;
    const tsSec = changeMoment(spec.metric, spec.windowDays, h);
    if (tsSec !== undefined) seen.set(`${spec.metric}:${tsSec}`, { metric: spec.metric, tsSec });
  }
  return [...seen.values()];
}

/** What a rule fired on, with the numbers its message shows (messages.ts words it). */
export type Crossing =
  | { kind: 'threshold'; metric: MetricId; direction: 'above' | 'below'; threshold: number; value: number }
  | { kind: 'change'; metric: MetricId; windowDays: number; changePercent: number; value: number }
  | { kind: 'hashprice_low'; days: number; value: number; low: number }
  | EventCrossing;

export interface Fired {
  ruleId: number;
  spec: RuleSpec;
  /** The rule's episode after firing: with the rule id, the alert's idempotency key. */
  episode: number;
  crossing: Crossing;
}

/** A rule whose state changes, and the alert to send when it fired. */
export interface Decision<R extends RuleInput = RuleInput> {
  rule: R;
  state: AlertState;
  fired?: Fired;
}

export interface Evaluation<R extends RuleInput = RuleInput> {
  /** Only the rules whose state changes, in the order given. */
  decisions: Decision<R>[];
  /** Figures computed with an input missing (the headline's `degraded`): rules on them were skipped. */
  skipped?: NonNullable<Headline['degraded']>;
}

/** Steps every rule given against the headline. Rules that need no change are left out. */
export function evaluate<R extends RuleInput>(rules: Iterable<R>, h: Headline, past: PastValues): Evaluation<R> {
  const change = changeLookup(h, past);
  const decisions: Decision<R>[] = [];
  for (const rule of rules) {
    const d = step(rule, h, change);
    if (d) decisions.push({ rule, ...d });
  }
  const skipped = h.degraded && Object.keys(h.degraded).length > 0 ? h.degraded : undefined;
  return skipped ? { decisions, skipped } : { decisions };
}

/**
 * The state a new rule should start in, given the latest numbers: disarmed when its condition
 * already holds (it will fire on the next crossing), armed otherwise, unknown without numbers.
 */
export function initialState(spec: RuleSpec, h: Headline | undefined, past: PastValues): { state: AlertState; alreadyTrue: boolean } {
  const base: AlertState = { armed: null, episode: 0, lastFiredMs: null, memo: null };
  if (!h) return { state: base, alreadyTrue: false };
  const level = levelOf(spec, h, changeLookup(h, past));
  if (level) return { state: { ...base, armed: !level.holds }, alreadyTrue: level.holds };
  const event = eventStep(spec, base, h);
  // A pool already over the line will not fire until it falls back, and a halving already that
  // close not until the next one: the user should know.
  const alreadyTrue =
    (spec.kind === 'pool_share' && h.pools1w.some((p) => p.sharePercent > spec.percent)) ||
    (spec.kind === 'halving' && Number.isSafeInteger(h.height) && h.height >= 0 && nextHalving(h.height).blocksLeft <= spec.blocks);
  return { state: event.state, alreadyTrue };
}

/**
 * Whether a threshold rule must be looked at on the next evaluation even if no move crosses it:
 * only one armed while its condition holds (a cooldown holds it back). Undefined when the metric
 * cannot be read now (nothing is known; the caller keeps what it had).
 */
export function waitsWithoutCrossing(rule: { spec: ThresholdSpec; state: AlertState }, h: Headline): boolean | undefined {
  const level = thresholdLevel(rule.spec, h);
  if (!level) return undefined;
  return rule.state.armed !== false && level.holds;
}

/** A level rule reduced to numbers: when it is "true", when it re-arms, and what it fired on. */
interface Level {
  holds: boolean;
  rearms: boolean;
  crossing: Crossing;
}

type ChangeLookup = (metric: MetricId, windowDays: number) => { changePercent: number; value: number } | undefined;

function step(rule: RuleInput, h: Headline, change: ChangeLookup): { state: AlertState; fired?: Fired } | undefined {
  const level = levelOf(rule.spec, h, change);
  if (!level) {
    const ev = eventStep(rule.spec, rule.state, h);
    if (!ev.changed) return undefined;
    return ev.crossing
      ? { state: ev.state, fired: { ruleId: rule.id, spec: rule.spec, episode: ev.state.episode, crossing: ev.crossing } }
      : { state: ev.state };
  }
  const s = rule.state;
  if (s.armed === null) return { state: { ...s, armed: !level.holds } };
  if (!s.armed) return level.rearms ? { state: { ...s, armed: true } } : undefined;
  if (!level.holds) return undefined;
  if (s.lastFiredMs !== null && h.atMs - s.lastFiredMs < rule.cooldownSec * 1000) return undefined;
  const state: AlertState = { ...s, armed: false, episode: s.episode + 1, lastFiredMs: h.atMs };
  return { state, fired: { ruleId: rule.id, spec: rule.spec, episode: state.episode, crossing: level.crossing } };
}

function readMetric(metric: MetricId, h: Headline): number | undefined {
  const x = METRICS[metric].read(h);
  return x === undefined || !Number.isFinite(x) ? undefined : x;
}

function thresholdLevel(spec: ThresholdSpec, h: Headline): Level | undefined {
  const x = readMetric(spec.metric, h);
  if (x === undefined) return undefined;
  const m = rearmMargin(spec.metric, spec.value);
  const above = spec.direction === 'above';
  return {
    holds: above ? x > spec.value : x < spec.value,
    rearms: above ? x <= spec.value - m : x >= spec.value + m,
    crossing: { kind: 'threshold', metric: spec.metric, direction: spec.direction, threshold: spec.value, value: x },
  };
}

function levelOf(spec: RuleSpec, h: Headline, change: ChangeLookup): Level | undefined {
  switch (spec.kind) {
    case 'threshold':
      return thresholdLevel(spec, h);
    case 'change': {
      const c = change(spec.metric, spec.windowDays);
      if (c === undefined) return undefined;
      const x = c.changePercent;
      const m = changeMargin(spec.percent);
      const down = spec.direction === 'down';
      return {
        holds: down ? x <= -spec.percent : x >= spec.percent,
        rearms: down ? x > -spec.percent + m : x < spec.percent - m,
        crossing: { kind: 'change', metric: spec.metric, windowDays: spec.windowDays, changePercent: x, value: c.value },
      };
    }
    case 'hashprice_low': {
      const nowSec = Math.floor(h.atMs / 1000);
      const past = h.hashpriceHistory.filter((p) => p.t >= nowSec - spec.days * DAY_SEC && p.t < nowSec - DAY_SEC / 2);
      if (past.length === 0) return undefined;
      const low = Math.min(...past.map((p) => p.v));
      const x = METRICS.hashprice.read(h);
      if (x === undefined) return undefined;
      return { holds: x < low, rearms: x >= low * 1.02, crossing: { kind: 'hashprice_low', days: spec.days, value: x, low } };
    }
    default:
      return undefined;
  }
}

/** Change per (metric, window) for one headline: one look-up however many rules share it. */
function changeLookup(h: Headline, past: PastValues): ChangeLookup {
  const memo = new Map<string, { changePercent: number; value: number } | undefined>();
  return (metric, windowDays) => {
    const key = `${metric}:${windowDays}`;
    if (!memo.has(key)) memo.set(key, changeOver(metric, windowDays, h, past));
    return memo.get(key);
  };
}

/** The change the headline itself carries (the hashrate's 7 and 30 days), which needs no past value. */
function upstreamChange(metric: MetricId, windowDays: number, h: Headline): number | undefined {
  if (metric !== 'hashrate') return undefined;
  if (windowDays === 7) return h.hashrate7dChange7dPercent;
  if (windowDays === 30) return h.hashrate7dChange30dPercent;
  return undefined;
}

/** The moment changeOver looks a recorded value up at, or undefined when it looks nothing up. */
function changeMoment(metric: MetricId, windowDays: number, h: Headline): number | undefined {
  if (readMetric(metric, h) === undefined || upstreamChange(metric, windowDays, h) !== undefined) return undefined;
  return windowStart(windowDays, h);
}

const windowStart = (windowDays: number, h: Headline): number => Math.floor(h.atMs / 1000) - windowDays * DAY_SEC;

/** Percent change of a metric over the window: recorded values first, then the headline's own history. */
function changeOver(
  metric: MetricId,
  windowDays: number,
  h: Headline,
  past: PastValues,
): { changePercent: number; value: number } | undefined {
  const now = readMetric(metric, h);
  if (now === undefined) return undefined;
  const upstream = upstreamChange(metric, windowDays, h);
  if (upstream !== undefined) return { changePercent: upstream, value: now };
  const at = windowStart(windowDays, h);
  let recorded = past.atOrBefore(metric, at);
  if (recorded && at - recorded.tsSec > SNAPSHOT_TOLERANCE_SEC) recorded = undefined;
  let then = recorded?.value;
  if (then === undefined && metric === 'hashprice') {
    const before = h.hashpriceHistory.filter((p) => p.t <= at).at(-1);
    if (before && at - before.t <= SNAPSHOT_TOLERANCE_SEC) then = before.v;
  }
  if (then === undefined || then === 0) return undefined;
  return { changePercent: (now / then - 1) * 100, value: now };
}
