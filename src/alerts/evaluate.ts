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
 * Events (retarget, ribbons, pool crossings, the halving, models under water) fire once per
 * distinct event and ignore cooldowns.
 */
import type { Headline } from '../core/headline.ts';
import type { AlertState } from '../store/index.ts';
import { changeMargin, METRICS, rearmMargin, type MetricId } from './metrics.ts';
import type { RuleSpec } from './rules.ts';
import type { ThresholdSpec } from './threshold-rules.ts';
import { fleetEconomics } from '../core/metrics/fleet.ts';
import { nextHalving, subsidyBtc } from '../core/metrics/subsidy.ts';

const DAY_SEC = 86_400;
const EPOCH_BLOCKS = 2016;
/** How far past breakeven (as a share of revenue) a model must go to change sides in an under-water rule. */
const UNDER_WATER_BAND = 0.01;
/** A stored value counts as "the value N days ago" only if it is this close to that moment. */
const SNAPSHOT_TOLERANCE_SEC = 36 * 3600;

export interface RuleInput {
  id: number;
  spec: RuleSpec;
  cooldownSec: number;
  state: AlertState;
}

/** Past values of a metric, for change rules: the last one recorded at or before a moment. */
export interface PastValues {
  atOrBefore(metric: MetricId, tsSec: number): { tsSec: number; value: number } | undefined;
}

/** What a rule fired on, with the numbers its message shows (messages.ts words it). */
export type Crossing =
  | { kind: 'threshold'; metric: MetricId; direction: 'above' | 'below'; threshold: number; value: number }
  | { kind: 'change'; metric: MetricId; windowDays: number; changePercent: number; value: number }
  | { kind: 'hashprice_low'; days: number; value: number; low: number }
  /** changePercent is NaN when neither this rule nor the upstream knows it. */
  | { kind: 'retarget'; epochHeight: number; changePercent: number; difficulty: number | null }
  | { kind: 'ribbons'; to: 'capitulation' | 'recovery' }
  | { kind: 'pool_share'; linePercent: number; pools: { name: string; sharePercent: number }[] }
  | { kind: 'halving'; halvingHeight: number; blocksLeft: number; subsidyNowBtc: number; subsidyThenBtc: number }
  | { kind: 'under_water'; powerUsdPerKwh: number; under: number; was: number; total: number; hashprice: number; sank: string[]; rose: string[] };

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
    return ev.crossing ? { state: ev.state, fired: { ruleId: rule.id, spec: rule.spec, episode: ev.state.episode, crossing: ev.crossing } } : { state: ev.state };
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

/** Percent change of a metric over the window: recorded values first, then the headline's own history. */
function changeOver(metric: MetricId, windowDays: number, h: Headline, past: PastValues): { changePercent: number; value: number } | undefined {
  const now = readMetric(metric, h);
  if (now === undefined) return undefined;
  if (metric === 'hashrate' && windowDays === 7 && h.hashrate7dChange7dPercent !== undefined) return { changePercent: h.hashrate7dChange7dPercent, value: now };
  if (metric === 'hashrate' && windowDays === 30 && h.hashrate7dChange30dPercent !== undefined) return { changePercent: h.hashrate7dChange30dPercent, value: now };
  const at = Math.floor(h.atMs / 1000) - windowDays * DAY_SEC;
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

function eventStep(spec: RuleSpec, s: AlertState, h: Headline): { state: AlertState; changed: boolean; crossing?: Crossing } {
  const fire = (memo: string, crossing: Crossing) => ({
    state: { ...s, armed: true, memo, episode: s.episode + 1, lastFiredMs: h.atMs },
    changed: true,
    crossing,
  });
  const remember = (memo: string) => ({ state: { ...s, armed: true, memo }, changed: memo !== s.memo || s.armed !== true });
  switch (spec.kind) {
    case 'retarget': {
      const step = retargetStep(s.memo, h);
      if (!step) return { state: s, changed: false };
      return step.crossing ? fire(step.memo, step.crossing) : remember(step.memo);
    }
    case 'ribbons': {
      if (s.memo === null || s.memo === h.ribbons || h.ribbons === 'normal') return remember(h.ribbons);
      return fire(h.ribbons, { kind: 'ribbons', to: h.ribbons });
    }
    case 'pool_share': {
      const before = new Set<string>(s.memo === null ? [] : (JSON.parse(s.memo) as string[]));
      const margin = changeMargin(spec.percent);
      const now = new Set<string>();
      const crossed: { name: string; sharePercent: number }[] = [];
      for (const p of h.pools1w) {
        if (p.sharePercent > spec.percent) {
          now.add(p.name);
          if (!before.has(p.name)) crossed.push({ name: p.name, sharePercent: p.sharePercent });
        } else if (before.has(p.name) && p.sharePercent > spec.percent - margin) {
          now.add(p.name); // not yet back below the line by the margin: stays counted
        }
      }
      const memo = JSON.stringify([...now].sort());
      if (s.memo === null || crossed.length === 0) return remember(memo);
      return fire(memo, { kind: 'pool_share', linePercent: spec.percent, pools: crossed });
    }
    case 'halving': {
      if (!Number.isSafeInteger(h.height) || h.height < 0) return { state: s, changed: false };
      const next = nextHalving(h.height);
      const inside = next.blocksLeft <= spec.blocks;
      const memo = JSON.stringify({ halving: next.height, inside });
      const seen = readHalvingMemo(s.memo);
      // Fires on the crossing into the window of a halving it saw outside: never for the state a
      // new rule starts in, and once per halving (the memo moves on with the halving's height).
      if (!inside || !seen || seen.halving !== next.height || seen.inside) return remember(memo);
      return fire(memo, { kind: 'halving', halvingHeight: next.height, blocksLeft: next.blocksLeft, subsidyNowBtc: subsidyBtc(h.height), subsidyThenBtc: subsidyBtc(next.height) });
    }
    case 'under_water': {
      // Counted on a trusted hashprice only: a subsidy-only figure would sink models that still earn.
      const hp = METRICS.hashprice.read(h);
      if (hp === undefined || !Number.isFinite(hp) || hp <= 0) return { state: s, changed: false };
      const before = readUnderWaterMemo(s.memo);
      const f = fleetEconomics({ powerUsdPerKwh: spec.powerUsdPerKwh, hashpriceUsdPerPhDay: hp });
      // Hysteresis per model: it changes side only once its margin is past zero by 1 % of revenue,
      // so a hashprice hovering at one model's breakeven does not send an alert every poll.
      const band = UNDER_WATER_BAND * (hp / 1000);
      const under = f.rows
        .filter((r) => (before?.has(r.id!) ? r.economics.marginPerThDay < band : r.economics.marginPerThDay < (before ? -band : 0)))
        .map((r) => r.id!);
      const memo = JSON.stringify(under.sort());
      if (!before || under.length === before.size) return remember(memo);
      return fire(memo, {
        kind: 'under_water',
        powerUsdPerKwh: spec.powerUsdPerKwh,
        under: under.length,
        was: before.size,
        total: f.total,
        hashprice: hp,
        sank: f.rows.filter((r) => under.includes(r.id!) && !before.has(r.id!)).map((r) => r.name),
        rose: f.rows.filter((r) => !under.includes(r.id!) && before.has(r.id!)).map((r) => r.name),
      });
    }
    default:
      return { state: s, changed: false };
  }
}

/** What a retarget rule remembers: the epoch it last saw and that epoch's difficulty. */
interface RetargetMemo {
  epoch: number;
  difficulty: number | null;
}

/**
 * Retargets are keyed on the epoch's start height (height − height % 2016), which the tip gives
 * exactly: a re-fetched or missing retarget timestamp can neither re-fire nor hide one. The change
 * is this epoch's difficulty over the last one's, both seen by this rule; the adjustment estimate
 * (cached apart from the tip) can lag a new block, so its "previous change" is only a fallback.
 */
function retargetStep(memo: string | null, h: Headline): { memo: string; crossing?: Crossing } | undefined {
  if (!Number.isSafeInteger(h.height) || h.height <= 0) return undefined;
  const epoch = h.height - (h.height % EPOCH_BLOCKS);
  const difficulty = Number.isFinite(h.difficulty) && h.difficulty > 0 ? h.difficulty : null;
  const now = JSON.stringify({ epoch, difficulty } satisfies RetargetMemo);
  const seen = readRetargetMemo(memo);
  if (seen === undefined) return { memo: now };
  let change: number;
  if ('legacyTimeSec' in seen) {
    // Stored by 0.1: the timestamp of the last retarget the rule saw. A later one fires, once.
    if (!(h.lastRetarget.timeSec > seen.legacyTimeSec)) return { memo: now };
    change = h.lastRetarget.changePercent;
  } else {
    if (epoch < seen.epoch) return { memo: memo! };
    if (epoch === seen.epoch) return { memo: seen.difficulty === null && difficulty !== null ? now : memo! };
    change = seen.epoch === epoch - EPOCH_BLOCKS && seen.difficulty !== null && difficulty !== null ? (difficulty / seen.difficulty - 1) * 100 : h.lastRetarget.changePercent;
  }
  return { memo: now, crossing: { kind: 'retarget', epochHeight: epoch, changePercent: change, difficulty } };
}

function readRetargetMemo(memo: string | null): RetargetMemo | { legacyTimeSec: number } | undefined {
  if (memo === null) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(memo);
  } catch {
    return undefined;
  }
  if (typeof v === 'number') return { legacyTimeSec: v };
  const m = v as Partial<RetargetMemo> | null;
  if (!m || typeof m.epoch !== 'number' || !(typeof m.difficulty === 'number' || m.difficulty === null)) return undefined;
  return { epoch: m.epoch, difficulty: m.difficulty };
}

function readHalvingMemo(memo: string | null): { halving: number; inside: boolean } | undefined {
  if (memo === null) return undefined;
  try {
    const v = JSON.parse(memo) as { halving?: unknown; inside?: unknown } | null;
    return v && typeof v.halving === 'number' && typeof v.inside === 'boolean' ? { halving: v.halving, inside: v.inside } : undefined;
  } catch {
    return undefined;
  }
}

function readUnderWaterMemo(memo: string | null): Set<string> | undefined {
  if (memo === null) return undefined;
  try {
    const v = JSON.parse(memo) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? new Set(v as string[]) : undefined;
  } catch {
    return undefined;
  }
}
