/**
 * Evaluates every active rule against a Headline, once per poll or new block.
 *
 * Crossing semantics: a rule fires when its condition becomes true, never again while it stays
 * true, and re-arms only once the value is back past the threshold by the margin (metrics.ts).
 * A new rule takes the current value as its starting point: if the condition already holds it
 * starts disarmed and fires on the next crossing, not at once. Cooldown: a crossing inside the
 * rule's cooldown keeps the rule armed and fires when the cooldown ends, if still true.
 * Events (retarget, ribbons, pool crossings) fire once per distinct event and ignore cooldowns.
 *
 * Every state change and the alert it causes commit in one transaction, together with the
 * outbox row keyed `alert:<rule>:<episode>`: a restart can neither lose nor repeat an alert.
 */
import type { Logger } from 'pino';
import { dateTime, difficulty as fmtDifficulty, int, pct, pctChange } from '../core/format.ts';
import type { Headline } from '../core/headline.ts';
import type { Reply } from '../core/reply.ts';
import type { Destination } from '../core/delivery.ts';
import type { AlertState, RuleRow, Store } from '../store/index.ts';
import { changeMargin, METRICS, rearmMargin } from './metrics.ts';
import { recordHeadline } from '../market-data/recorder.ts';
import { isRuleSpec } from './parse.ts';
import { describeRule, type RuleSpec } from './rules.ts';
import { ThresholdRules } from './threshold-rules.ts';
import { plural } from '../core/plural.ts';
import { TARGET_BLOCK_SECONDS } from '../core/metrics/constants.ts';
import { fleetEconomics, kwhPrice } from '../core/metrics/fleet.ts';
import { nextHalving, subsidyBtc } from '../core/metrics/subsidy.ts';

const DAY_SEC = 86_400;
/** How far past breakeven (as a share of revenue) a model must go to change sides in an under-water rule. */
const UNDER_WATER_BAND = 0.01;
/** A snapshot counts as "the value N days ago" only if it is this close to that moment. */
const SNAPSHOT_TOLERANCE_SEC = 36 * 3600;

interface Live {
  id: number;
  destination: Destination;
  spec: RuleSpec;
  cooldownSec: number;
  state: AlertState;
}

/** A level rule reduced to numbers: the value now, when it is "true", and when it re-arms. */
interface Level {
  x: number;
  holds: boolean;
  rearms: boolean;
  /** What the message says about the value. */
  shown: string;
}

export interface EvaluationResult {
  fired: number;
  /** Rules looked at (index hits plus non-threshold rules), for the benchmark and logs. */
  checked: number;
}

export class AlertEngine {
  /** Threshold rules in columns (most rules are these); the other kinds as objects. */
  private thresholds = new ThresholdRules();
  private others = new Map<number, Live>();
  private lastValue = new Map<string, number>();
  private lastHeadline: Headline | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  /** Loads every active rule from the store (start-up). */
  load(): void {
    this.thresholds = new ThresholdRules(this.store.rules.countActive());
    this.others.clear();
    this.store.rules.eachActive((row) => this.track(row));
    this.thresholds.build();
  }

  get size(): number {
    return this.thresholds.size + this.others.size;
  }

  /** The most recent headline evaluated, so a new rule can say whether it already holds. */
  get latest(): Headline | undefined {
    return this.lastHeadline;
  }

  track(row: RuleRow): void {
    let spec: unknown;
    try {
      spec = JSON.parse(row.specJson);
    } catch {
      spec = undefined;
    }
    if (!isRuleSpec(spec)) {
      this.log.error({ ruleId: row.id }, 'alert rule has an unreadable spec; skipping it');
      return;
    }
    this.untrack(row.id);
    if (spec.kind === 'threshold') {
      this.thresholds.add(row.id, spec, row.cooldownSec, row.platform, row.externalId, row.state);
    } else {
      const destination = this.thresholds.destination(row.platform, row.externalId);
      this.others.set(row.id, { id: row.id, destination, spec, cooldownSec: row.cooldownSec, state: row.state });
    }
  }

  untrack(id: number): void {
    this.thresholds.remove(id);
    this.others.delete(id);
  }

  /** The owner cannot be reached (their rules were disabled in the store): stop evaluating them. */
  untrackDestination(d: Destination): void {
    this.thresholds.removeOwner(d);
    for (const rule of [...this.others.values()]) {
      if (rule.destination.platform === d.platform && rule.destination.chatId === d.chatId) this.untrack(rule.id);
    }
  }

  /**
   * The state a new rule should start in, given the latest numbers: disarmed when its condition
   * already holds (it will fire on the next crossing), armed otherwise, unknown without numbers.
   */
  initialState(spec: RuleSpec, h: Headline | undefined = this.lastHeadline): { state: AlertState; alreadyTrue: boolean } {
    const base: AlertState = { armed: null, episode: 0, lastFiredMs: null, memo: null };
    if (!h) return { state: base, alreadyTrue: false };
    const level = this.level(spec, h);
    if (level) return { state: { ...base, armed: !level.holds }, alreadyTrue: level.holds };
    const event = this.eventStep(spec, base, h);
    // A pool already over the line will not fire until it falls back, and a halving already that
    // close not until the next one: the user should know.
    const alreadyTrue =
      (spec.kind === 'pool_share' && h.pools1w.some((p) => p.sharePercent > spec.percent)) ||
      (spec.kind === 'halving' && Number.isSafeInteger(h.height) && h.height >= 0 && nextHalving(h.height).blocksLeft <= spec.blocks);
    return { state: event.state, alreadyTrue };
  }

  evaluate(h: Headline): EvaluationResult {
    this.logDegraded(h);
    const writes = new Map<number, AlertState>();
    const messages: { rule: Live; reply: Reply }[] = [];
    let checked = 0;
    // Slots of threshold rules to look at: the unsettled ones and those a move crossed.
    const candidates = new Set<number>(this.thresholds.unsettled());
    for (const id of Object.keys(METRICS) as (keyof typeof METRICS)[]) {
      const x = METRICS[id].read(h);
      if (x === undefined || !Number.isFinite(x)) continue;
      const before = this.lastValue.get(id);
      if (before === undefined) {
        for (const slot of this.thresholds.index.slotsOf(id)) candidates.add(slot);
      } else {
        for (const slot of this.thresholds.index.crossedSlots(id, before, x)) candidates.add(slot);
      }
      this.lastValue.set(id, x);
    }
    const decide = (rule: Live): void => {
      checked++;
      const out = this.step(rule, h);
      if (out) {
        rule.state = out.state;
        writes.set(rule.id, out.state);
        if (out.reply) messages.push({ rule, reply: out.reply });
      }
    };
    for (const slot of candidates) {
      const rule = this.thresholds.rule(slot);
      if (!rule) continue;
      decide(rule);
      this.thresholds.write(slot, rule.state);
      this.settle(slot, rule, h);
    }
    for (const rule of this.others.values()) decide(rule);
    const nowMs = h.atMs;
    try {
      // One statement per kind of write, however many rules changed.
      this.store.transaction(() => {
        recordHeadline(this.store.snapshots, h);
        this.store.rules.saveStates([...writes].map(([ruleId, state]) => ({ ruleId, state })), nowMs);
        this.store.outbox.enqueueMany(
          messages.map(({ rule, reply }) => ({ idemKey: `alert:${rule.id}:${rule.state.episode}`, destination: rule.destination, reply })),
          nowMs,
        );
      });
    } catch (err) {
      // Nothing was committed: forget what this pass decided, so the next one decides it again.
      this.load();
      this.lastValue.clear();
      throw err;
    }
    this.lastHeadline = h;
    return { fired: messages.length, checked };
  }

  /** Metrics read undefined while computed with an input missing (metrics.ts): say why, once per cause. */
  private loggedDegraded = '';
  private logDegraded(h: Headline): void {
    const why = JSON.stringify(h.degraded ?? {});
    if (why !== this.loggedDegraded && why !== '{}') this.log.warn({ degraded: h.degraded }, 'alerts: skipping figures computed with an input missing');
    this.loggedDegraded = why;
  }

  /** Only a rule armed while its condition holds (held by cooldown) can change without a crossing. */
  private settle(slot: number, rule: Live, h: Headline): void {
    const level = this.level(rule.spec, h);
    if (!level) return;
    this.thresholds.settle(slot, rule.state.armed !== false && level.holds);
  }

  /** The next state of one rule, and the alert to send if it fires; undefined when nothing changes. */
  private step(rule: Live, h: Headline): { state: AlertState; reply?: Reply } | undefined {
    const level = this.level(rule.spec, h);
    if (!level) {
      const ev = this.eventStep(rule.spec, rule.state, h);
      if (!ev.changed) return undefined;
      return { state: ev.state, reply: ev.happened ? this.message(rule, h, ev.happened, ev.state.episode) : undefined };
    }
    const s = rule.state;
    if (s.armed === null) return { state: { ...s, armed: !level.holds } };
    if (!s.armed) return level.rearms ? { state: { ...s, armed: true } } : undefined;
    if (!level.holds) return undefined;
    if (s.lastFiredMs !== null && h.atMs - s.lastFiredMs < rule.cooldownSec * 1000) return undefined;
    const state: AlertState = { ...s, armed: false, episode: s.episode + 1, lastFiredMs: h.atMs };
    return { state, reply: this.message(rule, h, `${describeValue(rule.spec, level)}`, state.episode) };
  }

  private level(spec: RuleSpec, h: Headline): Level | undefined {
    switch (spec.kind) {
      case 'threshold': {
        const x = METRICS[spec.metric].read(h);
        if (x === undefined || !Number.isFinite(x)) return undefined;
        const m = rearmMargin(spec.metric, spec.value);
        const above = spec.direction === 'above';
        return {
          x,
          holds: above ? x > spec.value : x < spec.value,
          rearms: above ? x <= spec.value - m : x >= spec.value + m,
          shown: METRICS[spec.metric].format(x),
        };
      }
      case 'change': {
        const x = this.changePercent(spec.metric, spec.windowDays, h);
        if (x === undefined) return undefined;
        const m = changeMargin(spec.percent);
        const down = spec.direction === 'down';
        return {
          x,
          holds: down ? x <= -spec.percent : x >= spec.percent,
          rearms: down ? x > -spec.percent + m : x < spec.percent - m,
          shown: `${pctChange(x, 1)} over ${plural(spec.windowDays, 'day')} (now ${METRICS[spec.metric].format(METRICS[spec.metric].read(h) ?? Number.NaN)})`,
        };
      }
      case 'hashprice_low': {
        const nowSec = Math.floor(h.atMs / 1000);
        const past = h.hashpriceHistory.filter((p) => p.t >= nowSec - spec.days * DAY_SEC && p.t < nowSec - DAY_SEC / 2);
        if (past.length === 0) return undefined;
        const low = Math.min(...past.map((p) => p.v));
        const x = METRICS.hashprice.read(h);
        if (x === undefined) return undefined;
        return {
          x,
          holds: x < low,
          rearms: x >= low * 1.02,
          shown: `${METRICS.hashprice.format(x)}, below the previous ${spec.days}-day low of ${METRICS.hashprice.format(low)}`,
        };
      }
      default:
        return undefined;
    }
  }

  /** Change per (metric, window) for the headline being evaluated: one look-up however many rules share it. */
  private changeMemo: { h: Headline | undefined; values: Map<string, number | undefined> } = { h: undefined, values: new Map() };

  private changePercent(metric: keyof typeof METRICS, windowDays: number, h: Headline): number | undefined {
    if (this.changeMemo.h !== h) this.changeMemo = { h, values: new Map() };
    const key = `${metric}:${windowDays}`;
    if (this.changeMemo.values.has(key)) return this.changeMemo.values.get(key);
    const v = this.computeChangePercent(metric, windowDays, h);
    this.changeMemo.values.set(key, v);
    return v;
  }

  /** Percent change of a metric over the window: stored snapshots first, then the headline's own history. */
  private computeChangePercent(metric: keyof typeof METRICS, windowDays: number, h: Headline): number | undefined {
    const now = METRICS[metric].read(h);
    if (now === undefined || !Number.isFinite(now)) return undefined;
    if (metric === 'hashrate' && windowDays === 7 && h.hashrate7dChange7dPercent !== undefined) return h.hashrate7dChange7dPercent;
    if (metric === 'hashrate' && windowDays === 30 && h.hashrate7dChange30dPercent !== undefined) return h.hashrate7dChange30dPercent;
    const at = Math.floor(h.atMs / 1000) - windowDays * DAY_SEC;
    let past = this.store.snapshots.atOrBefore(METRICS[metric].snapshot, at);
    if (past && at - past.tsSec > SNAPSHOT_TOLERANCE_SEC) past = undefined;
    let then = past?.value;
    if (then === undefined && metric === 'hashprice') {
      const before = h.hashpriceHistory.filter((p) => p.t <= at).at(-1);
      if (before && at - before.t <= SNAPSHOT_TOLERANCE_SEC) then = before.v;
    }
    if (then === undefined || then === 0) return undefined;
    return (now / then - 1) * 100;
  }

  private eventStep(
    spec: RuleSpec,
    s: AlertState,
    h: Headline,
  ): { state: AlertState; changed: boolean; happened?: string } {
    const fire = (memo: string, happened: string) => ({
      state: { ...s, armed: true, memo, episode: s.episode + 1, lastFiredMs: h.atMs },
      changed: true,
      happened,
    });
    const remember = (memo: string) => ({ state: { ...s, armed: true, memo }, changed: memo !== s.memo || s.armed !== true });
    switch (spec.kind) {
      case 'retarget': {
        const step = retargetStep(s.memo, h);
        if (!step) return { state: s, changed: false };
        return step.happened ? fire(step.memo, step.happened) : remember(step.memo);
      }
      case 'ribbons': {
        if (s.memo === null || s.memo === h.ribbons || h.ribbons === 'normal') return remember(h.ribbons);
        return fire(
          h.ribbons,
          h.ribbons === 'capitulation'
            ? 'Hash ribbons turned to capitulation: the 30-day average hashrate fell below the 60-day average.'
            : 'Hash ribbons turned to recovery: the 30-day average hashrate crossed back above the 60-day average.',
        );
      }
      case 'pool_share': {
        const before = new Set<string>(s.memo === null ? [] : (JSON.parse(s.memo) as string[]));
        const margin = changeMargin(spec.percent);
        const now = new Set<string>();
        const crossed: { name: string; sharePercent: number }[] = [];
        for (const p of h.pools1w) {
          if (p.sharePercent > spec.percent) {
            now.add(p.name);
            if (!before.has(p.name)) crossed.push(p);
          } else if (before.has(p.name) && p.sharePercent > spec.percent - margin) {
            now.add(p.name); // not yet back below the line by the margin: stays counted
          }
        }
        const memo = JSON.stringify([...now].sort());
        if (s.memo === null || crossed.length === 0) return remember(memo);
        return fire(memo, crossed.map((p) => `${p.name} found ${pct(p.sharePercent)} of blocks over the last week (line: ${spec.percent} %).`).join('\n'));
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
        const days = (next.blocksLeft * TARGET_BLOCK_SECONDS) / DAY_SEC;
        return fire(memo, `The halving at block ${int(next.height)} is ${int(next.blocksLeft)} blocks away (about ${days < 2 ? `${Math.round(days * 24)} hours` : `${days.toFixed(1)} days`} at 10 minutes a block): the subsidy drops from ${subsidyBtc(h.height)} to ${subsidyBtc(next.height)} BTC.`);
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
        const sank = f.rows.filter((r) => under.includes(r.id!) && !before.has(r.id!)).map((r) => r.name);
        const rose = f.rows.filter((r) => !under.includes(r.id!) && before.has(r.id!)).map((r) => r.name);
        const moved = [...(sank.length ? [`now losing money: ${sank.join(', ')}`] : []), ...(rose.length ? [`back above water: ${rose.join(', ')}`] : [])].join('; ');
        return fire(
          memo,
          `At ${kwhPrice(spec.powerUsdPerKwh)}, ${under.length} of ${f.total} models lose money at today's hashprice of ${METRICS.hashprice.format(hp)} (was ${before.size}); ${moved}.`,
        );
      }
      default:
        return { state: s, changed: false };
    }
  }

  private message(rule: Live, h: Headline, what: string, episode: number): Reply {
    const lines = [what, `Your rule #${rule.id}: ${describeRule(rule.spec)}.`];
    if (h.stale) lines.push('⚠ Some of these numbers are stale: an upstream source did not answer on the last refresh.');
    return {
      title: `Alert #${rule.id}: ${describeRule(rule.spec)}`,
      lines,
      sections: [],
      // Absolute times, not "5 min ago": the message may reach the user later than it was decided
      // (rate limits, retries, a restart), and a relative age frozen into it would then be wrong.
      footer: [
        `Block ${int(h.height)} · mined ${dateTime(h.tipTimeSec * 1000)}`,
        `Numbers as of ${dateTime(h.atMs)} · source: ${h.sources.join(', ') || 'unknown'}`,
        `Pause: /alert pause ${rule.id} · remove: /alert remove ${rule.id}`,
      ],
      tone: 'neutral',
      data: { ruleId: rule.id, episode },
    };
  }
}

const EPOCH_BLOCKS = 2016;

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
function retargetStep(memo: string | null, h: Headline): { memo: string; happened?: string } | undefined {
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
  const by = Number.isFinite(change) ? ` by ${pctChange(change)}` : '';
  return { memo: now, happened: `Difficulty adjusted${by} at block ${int(epoch)}${difficulty === null ? '' : `: now ${fmtDifficulty(difficulty)}`}.` };
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

function describeValue(spec: RuleSpec, level: Level): string {
  if (spec.kind === 'threshold') {
    const m = METRICS[spec.metric];
    return `${capitalise(m.label)} ${spec.direction === 'above' ? 'rose above' : 'fell below'} ${m.format(spec.value)}: now ${level.shown}.`;
  }
  if (spec.kind === 'change') return `${capitalise(METRICS[spec.metric].label)} changed ${level.shown}.`;
  return `Hashprice is now ${level.shown}.`;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
