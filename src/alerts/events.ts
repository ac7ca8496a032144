/**
 * Event rules (retarget, ribbons, pool crossings, the halving, models under water): each fires
 * once per distinct event and ignores cooldowns. What a rule has seen is kept in its state's memo.
 * Pure, like evaluate.ts, which calls this for every rule that is not a level.
 */
import type { Headline } from '../core/headline.ts';
import type { AlertState } from '../store/index.ts';
import { changeMargin, METRICS } from './metrics.ts';
import type { RuleSpec } from './rules.ts';
import { fleetEconomics } from '../core/metrics/fleet.ts';
import { nextHalving, subsidyBtc } from '../core/metrics/subsidy.ts';

const EPOCH_BLOCKS = 2016;
/** How far past breakeven (as a share of revenue) a model must go to change sides in an under-water rule. */
const UNDER_WATER_BAND = 0.01;

/** What an event rule fired on, with the numbers its message shows (messages.ts words it). */
export type EventCrossing =
  /** changePercent is NaN when neither this rule nor the upstream knows it. */
  | { kind: 'retarget'; epochHeight: number; changePercent: number; difficulty: number | null }
  | { kind: 'ribbons'; to: 'capitulation' | 'recovery' }
  | { kind: 'pool_share'; linePercent: number; pools: { name: string; sharePercent: number }[] }
  | { kind: 'halving'; halvingHeight: number; blocksLeft: number; subsidyNowBtc: number; subsidyThenBtc: number }
  | {
      kind: 'under_water';
      powerUsdPerKwh: number;
      under: number;
      was: number;
      total: number;
      hashprice: number;
      sank: string[];
      rose: string[];
    };

/** The next state of an event rule; `changed` false when nothing is to be written. */
export function eventStep(spec: RuleSpec, s: AlertState, h: Headline): { state: AlertState; changed: boolean; crossing?: EventCrossing } {
  const fire = (memo: string, crossing: EventCrossing) => ({
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
      return fire(memo, {
        kind: 'halving',
        halvingHeight: next.height,
        blocksLeft: next.blocksLeft,
        subsidyNowBtc: subsidyBtc(h.height),
        subsidyThenBtc: subsidyBtc(next.height),
      });
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
function retargetStep(memo: string | null, h: Headline): { memo: string; crossing?: EventCrossing } | undefined {
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
    change =
      seen.epoch === epoch - EPOCH_BLOCKS && seen.difficulty !== null && difficulty !== null
        ? (difficulty / seen.difficulty - 1) * 100
        : h.lastRetarget.changePercent;
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
