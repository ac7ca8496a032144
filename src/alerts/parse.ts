/**
 * The chat syntax of `/alert add`: subject, condition, value, window. Every mistake gets a
 * message saying what is accepted, with an example.
 */
import { parseHumanNumber } from '../core/numbers.ts';
import type { RuleWords } from '../core/services.ts';
import { METRIC_IDS, METRICS, typed, type MetricId } from './metrics.ts';
import type { RuleSpec } from './rules.ts';

export type ParsedRule = { ok: true; spec: RuleSpec } | { ok: false; message: string };

// Keyed by what the user typed: a Map, so "constructor" or "__proto__" is just an unknown word
// (a plain object would hand back Object.prototype's members).
const METRIC_ALIASES = new Map<string, MetricId>(
  Object.entries({
    hashprice: 'hashprice',
    hp: 'hashprice',
    hashpriceusd: 'hashprice',
    hashpricebtc: 'hashprice_btc',
    hpbtc: 'hashprice_btc',
    price: 'price',
    btc: 'price',
    btcprice: 'price',
    hashrate: 'hashrate',
    hr: 'hashrate',
    difficulty: 'difficulty',
    diff: 'difficulty',
    difficultychange: 'difficulty_change',
    diffchange: 'difficulty_change',
    nextdifficulty: 'difficulty_change',
    fees: 'fees',
    fee: 'fees',
    feeshare: 'fees',
    toppool: 'toppool',
    largestpool: 'toppool',
    nakamoto: 'nakamoto',
    nakamotocoefficient: 'nakamoto',
    hashpricenext: 'hashprice_next',
    nexthashprice: 'hashprice_next',
    hpnext: 'hashprice_next',
    forwardhashprice: 'hashprice_next',
  } satisfies Record<string, MetricId>),
);
const RETARGET = new Set(['retarget', 'adjustment', 'difficultyadjustment', 'retargets']);
const RIBBONS = new Set(['ribbons', 'hashribbons', 'capitulation', 'ribbon']);
const POOL = new Set(['pool', 'pools', 'anypool']);
const HALVING = new Set(['halving', 'halvening', 'nexthalving']);
const UNDER_WATER = new Set(['underwater', 'models', 'fleet', 'modelsunderwater', 'unprofitable']);

const SUBJECTS_HELP =
  'metrics: hashprice, hashprice_next (after the next adjustment, estimate), hashprice_btc, price, hashrate, difficulty (T), difficulty_change (next retarget estimate, %), fees, toppool, nakamoto; events: retarget, ribbons, pool, hashprice low, halving N (blocks), underwater P (models losing money at $P/kWh)';
export const ADD_EXAMPLES = [
  '/alert add hashprice below 40',
  '/alert add hashrate change -10% 7d',
  '/alert add price down 20% 30d',
  '/alert add retarget',
  '/alert add hashprice low 90d',
  '/alert add ribbons',
  '/alert add pool above 30%',
  '/alert add hashprice_next below 35',
  '/alert add halving 1000',
  '/alert add underwater 0.06',
];

/** Changes and pool shares are shown to one decimal. */
const MIN_PERCENT = 0.1;

const squash = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
const fail = (message: string): ParsedRule => ({ ok: false, message });

export function parseRule(words: RuleWords): ParsedRule {
  const subject = squash(words.subject ?? '');
  if (!subject) return fail(`Say what to watch: ${SUBJECTS_HELP}. Example: ${ADD_EXAMPLES[0]}`);
  if (RETARGET.has(subject)) return noExtras(words, { kind: 'retarget' });
  if (RIBBONS.has(subject)) return noExtras(words, { kind: 'ribbons' });
  if (POOL.has(subject)) return parsePool(words);
  if (HALVING.has(subject)) return parseHalving(words);
  if (UNDER_WATER.has(subject)) return parseUnderWater(words);
  const metric = METRIC_ALIASES.get(subject);
  if (!metric) return fail(`Unknown metric or event "${clip(words.subject!)}". Accepted: ${SUBJECTS_HELP}.`);
  const condition = squash(words.condition ?? '');
  if (metric === 'hashprice' && (condition === 'low' || condition === 'newlow')) return parseLow(words);
  if (['above', 'over', '>', 'higher', 'gt'].includes(condition)) return parseThreshold(metric, 'above', words);
  if (['below', 'under', '<', 'lower', 'lt'].includes(condition)) return parseThreshold(metric, 'below', words);
  if (['change', 'up', 'down', 'rises', 'falls', 'drops'].includes(condition)) return parseChange(metric, condition, words);
  return fail(
    `After "${metric}" say above, below, change, up or down${metric === 'hashprice' ? ' (or low for a new N-day low)' : ''}` +
      ` (got "${clip(words.condition ?? '')}"). Examples: ${ADD_EXAMPLES.slice(0, 3).join(' · ')}`,
  );
}

function clip(s: string): string {
  return s.length > 30 ? `${s.slice(0, 29)}…` : s;
}

function noExtras(words: RuleWords, spec: RuleSpec): ParsedRule {
  const extra = [words.condition, words.value, words.window].filter((w) => w?.trim());
  if (extra.length) return fail(`"${spec.kind}" takes nothing more (got "${clip(extra.join(' '))}"). Example: /alert add ${spec.kind}`);
  return { ok: true, spec };
}

/**
 * A unit typed as its own word after the number ("600 EH/s", "30 %", "100k USD"): on Telegram and
 * in the terminal it lands in the window slot. The value with the unit joined on, or undefined when
 * that word is not a unit of this metric.
 */
function withUnit(metric: MetricId, value: string, unit: string): string | undefined {
  const u = unit.trim().toLowerCase();
  if (metric === 'hashrate') return /^[pez]?h\/s$/.test(u) ? `${value}${u}` : undefined;
  if (metric === 'difficulty') return /^[tp]$/.test(u) ? `${value}${u}` : undefined;
  const units: Record<Exclude<MetricId, 'hashrate' | 'difficulty'>, RegExp> = {
    hashprice: /^(?:usd|\$|usd\/ph\/day|\/ph\/day)$/,
    hashprice_next: /^(?:usd|\$|usd\/ph\/day|\/ph\/day)$/,
    hashprice_btc: /^(?:btc|btc\/ph\/day|\/ph\/day)$/,
    price: /^(?:usd|\$)$/,
    difficulty_change: /^%$/,
    fees: /^%$/,
    toppool: /^%$/,
    nakamoto: /^pools?$/,
  };
  return units[metric].test(u) ? value : undefined;
}

function parseThreshold(metric: MetricId, direction: 'above' | 'below', words: RuleWords): ParsedRule {
  const def = METRICS[metric];
  let raw = words.value?.trim() ?? '';
  let window = words.window?.trim() ?? '';
  const joined = raw && window ? withUnit(metric, raw, window) : undefined;
  if (joined !== undefined) {
    raw = joined;
    window = '';
  }
  const value = def.parseValue ? def.parseValue(raw) : parseHumanNumber(raw);
  const example = `/alert add ${metric} ${direction} ${EXAMPLE_VALUE[metric] ?? '40'}`;
  if (metric === 'difficulty' && /%\s*$/.test(`${raw}${window}`)) {
    return fail(
      `difficulty is the level, in T (e.g. 150T). For the estimated change at the next retarget use difficulty_change (got "${clip(`${raw}${window}`)}"). Examples: /alert add difficulty above 150T · /alert add difficulty_change above 5%`,
    );
  }
  if (!raw || !Number.isFinite(value))
    return fail(`Give the threshold as a number in ${def.unit} (got "${clip(raw)}"). Example: ${example}`);
  const shown = (v: number) => typed(metric, v);
  if (value < def.min || value > def.max) {
    return fail(
      `The ${def.label} threshold must be from ${shown(def.min).replace(` ${def.unit}`, '')} to ${shown(def.max)} (got "${clip(raw)}").`,
    );
  }
  if (direction === 'below' && value <= def.min)
    return fail(
      `The ${def.label} is never below ${shown(def.min)}, so this alert could never fire (got "${clip(raw)}"). Example: ${example}`,
    );
  if (direction === 'above' && value >= def.max)
    return fail(
      `The ${def.label} is never above ${shown(def.max)}, so this alert could never fire (got "${clip(raw)}"). Example: ${example}`,
    );
  if (value !== 0 && Math.abs(value) < def.step) {
    return fail(
      `A ${def.label} threshold must be at least ${shown(def.step)}: the bot shows this figure no finer, so a smaller line could not be told apart from 0 (got "${clip(raw)}"). Example: ${example}`,
    );
  }
  if (metric === 'nakamoto' && !Number.isInteger(value))
    return fail(`The Nakamoto coefficient is a whole number of pools (got "${clip(raw)}"). Example: ${example}`);
  if (window) return fail(`A threshold rule takes no window (got "${clip(window)}"). Example: ${example}`);
  return { ok: true, spec: { kind: 'threshold', metric, direction, value } };
}

const EXAMPLE_VALUE: Partial<Record<MetricId, string>> = { hashrate: '600', nakamoto: '3', difficulty: '150T', difficulty_change: '5%' };

function parseDays(raw: string | undefined, min: number, max: number): number | undefined {
  const m = /^(\d+)\s*(d|day|days)?$/i.exec(raw?.trim() ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= min && n <= max ? n : undefined;
}

function parseChange(metric: MetricId, condition: string, words: RuleWords): ParsedRule {
  if (metric === 'difficulty_change') {
    // Already a percentage change (the estimate for the next retarget): a percent change of it
    // (+2 % → +4 % is "+100 %") means nothing. Its own thresholds, or the retarget event, do.
    return fail(
      'difficulty_change is already a change (the estimated change at the next retarget), so it takes above or below, not a change over days. Examples: /alert add difficulty_change above 5% · /alert add retarget (each adjustment, with its actual change) · /alert add difficulty up 10% 30d',
    );
  }
  const raw = words.value?.trim() ?? '';
  const example = `/alert add ${metric} change -10% 7d`;
  const n = parseHumanNumber(raw);
  if (!raw || !Number.isFinite(n) || n === 0)
    return fail(`Give the change in percent, e.g. -10% for a 10 % drop (got "${clip(raw)}"). Example: ${example}`);
  let direction: 'up' | 'down';
  if (condition === 'change') direction = n < 0 ? 'down' : 'up';
  else {
    direction = ['up', 'rises'].includes(condition) ? 'up' : 'down';
    if (direction === 'up' && n < 0) {
      return fail(`"${condition}" with "${clip(raw)}" is contradictory; use e.g. /alert add ${metric} ${condition} 10% 7d`);
    }
  }
  const percent = Math.abs(n);
  // The alert shows the change to one decimal: a smaller line could not be seen to be crossed.
  if (percent < MIN_PERCENT) return fail(`A change must be at least ${MIN_PERCENT} % (got "${clip(raw)}"). Example: ${example}`);
  if (percent > (direction === 'down' ? 99 : 1000)) {
    return fail(`A ${direction === 'down' ? 'drop' : 'rise'} must be at most ${direction === 'down' ? 99 : 1000} % (got "${clip(raw)}").`);
  }
  const windowDays = parseDays(words.window, 1, 365);
  if (windowDays === undefined)
    return fail(`Give the window in days from 1d to 365d (got "${clip(words.window ?? '')}"). Example: ${example}`);
  return { ok: true, spec: { kind: 'change', metric, direction, percent, windowDays } };
}

function parseLow(words: RuleWords): ParsedRule {
  const value = words.value?.trim();
  const window = words.window?.trim();
  const raw = value || window;
  const days = parseDays(raw, 7, 730);
  if (days === undefined)
    return fail(`Give the low's look-back from 7d to 730d (got "${clip(raw ?? '')}"). Example: /alert add hashprice low 90d`);
  if (value && window)
    return fail(
      `A new-low rule takes one look-back, e.g. 90d (got "${clip(`${value} ${window}`)}"). Example: /alert add hashprice low 90d`,
    );
  return { ok: true, spec: { kind: 'hashprice_low', days } };
}

function parsePool(words: RuleWords): ParsedRule {
  // "/alert add pool above 30%" and "/alert add pool 30%" both read naturally.
  const condition = squash(words.condition ?? '');
  const keyword = ['above', 'over', '>', 'crosses', 'crossing'].includes(condition);
  const rest = (keyword ? [words.value, words.window] : [words.condition, words.value, words.window])
    .map((w) => w?.trim() ?? '')
    .filter(Boolean);
  // "30 %" typed as two words is still one share.
  if (rest[1] === '%') rest.splice(1, 1);
  const raw = rest[0] ?? '';
  const n = parseHumanNumber(raw);
  if (!raw || !Number.isFinite(n) || n < MIN_PERCENT || n >= 100) {
    return fail(
      `Give the pool share in percent, from ${MIN_PERCENT} to less than 100 (got "${clip(raw)}"). Example: /alert add pool above 30%`,
    );
  }
  if (rest.length > 1) {
    return fail(
      `A pool rule takes only the share; it always looks at the last week's blocks (got "${clip(rest.slice(1).join(' '))}" too). Example: /alert add pool above 30%`,
    );
  }
  return { ok: true, spec: { kind: 'pool_share', percent: n } };
}

/** The words after the subject, without filler: "halving in 1000 blocks" → ["1000"]. */
function restWords(words: RuleWords, filler: RegExp): string[] {
  return [words.condition, words.value, words.window].map((w) => w?.trim() ?? '').filter((w) => w && !filler.test(w));
}

/** Blocks before a halving: up to one less than the 210,000-block interval, so every halving is reachable once. */
const MAX_HALVING_BLOCKS = 209_999;

function parseHalving(words: RuleWords): ParsedRule {
  const example = '/alert add halving 1000';
  const rest = restWords(words, /^(?:in|within|blocks?|away)$/i);
  const raw = rest[0] ?? '';
  const n = parseHumanNumber(raw.replace(/blocks?$/i, ''));
  if (!raw || !Number.isInteger(n) || n < 1 || n > MAX_HALVING_BLOCKS) {
    return fail(
      `Give how many blocks before the halving to be told, a whole number from 1 to ${MAX_HALVING_BLOCKS.toLocaleString('en-US')} (got "${clip(raw)}"). Example: ${example} (about a week ahead)`,
    );
  }
  if (rest.length > 1)
    return fail(`A halving rule takes only the number of blocks (got "${clip(rest.slice(1).join(' '))}" too). Example: ${example}`);
  return { ok: true, spec: { kind: 'halving', blocks: n } };
}

function parseUnderWater(words: RuleWords): ParsedRule {
  const example = '/alert add underwater 0.06';
  const rest = restWords(words, /^(?:at|underwater|under|water|models?|usd|\$|\/kwh|usd\/kwh|kwh|per)$/i);
  const raw = rest[0] ?? '';
  const n = parseHumanNumber(raw.replace(/^\$/, '').replace(/(?:usd)?\/?kwh$/i, ''));
  if (!raw || !Number.isFinite(n) || n <= 0 || n > 2) {
    return fail(`Give your power price in USD per kWh, above 0 and at most 2 (got "${clip(raw)}"). Example: ${example}`);
  }
  if (rest.length > 1)
    return fail(`An under-water rule takes only the power price (got "${clip(rest.slice(1).join(' '))}" too). Example: ${example}`);
  return { ok: true, spec: { kind: 'under_water', powerUsdPerKwh: n } };
}

/** The stored JSON is ours, but validate it anyway: a bad row must disable one rule, not crash the engine. */
export function isRuleSpec(v: unknown): v is RuleSpec {
  if (!v || typeof v !== 'object') return false;
  const s = v as Record<string, unknown>;
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  const metric = (x: unknown) => typeof x === 'string' && (METRIC_IDS as readonly string[]).includes(x);
  switch (s.kind) {
    case 'threshold':
      return metric(s.metric) && (s.direction === 'above' || s.direction === 'below') && num(s.value);
    case 'change':
      return metric(s.metric) && (s.direction === 'up' || s.direction === 'down') && num(s.percent) && num(s.windowDays);
    case 'retarget':
    case 'ribbons':
      return true;
    case 'hashprice_low':
      return num(s.days);
    case 'pool_share':
      return num(s.percent);
    case 'halving':
      return num(s.blocks);
    case 'under_water':
      return num(s.powerUsdPerKwh) && (s.powerUsdPerKwh as number) > 0;
    default:
      return false;
  }
}

/** A stored spec, or undefined when the row cannot be read (that rule is skipped, not fatal). */
export function readSpec(json: string): RuleSpec | undefined {
  try {
    const v: unknown = JSON.parse(json);
    return isRuleSpec(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
