/**
 * How a command is declared. One declaration drives every surface: Discord slash options
 * (type, min/max, choices, autocomplete), Telegram `/cmd positional key=value` parsing, the CLI's
 * `--key value` flags, and the validation messages users see.
 */
import { z } from 'zod';
import type { Reply } from './reply.ts';
import type { Market } from './market.ts';
import type { CommandServices } from './services.ts';
import { parseHumanNumber } from './numbers.ts';
import { closest } from './suggest.ts';

export type Platform = 'discord' | 'telegram' | 'console' | 'cli';

export interface CommandContext {
  market: Market;
  /** Milliseconds since the epoch; injected so tests and what-ifs are reproducible. */
  now(): number;
  platform: Platform;
  version: string;
  /** Who asked, when the platform tells us (alerts and digests need it; metric commands do not). */
  user?: { platform: Platform; id: string; name?: string };
  /** Where it was asked. isAdmin is asked lazily: it costs a platform call on Telegram. */
  chat?: {
    id: string;
    kind: 'private' | 'group' | 'channel';
    /** false where the bot may answer but not post on its own (Discord user install in a server it is not in). */
    postable?: boolean;
    /**
     * true where a reply can be shown to the asker alone (Discord's ephemeral replies), so personal
     * commands may run outside a private chat.
     */
    privateReplies?: boolean;
    /** Who counts as admin here, for refusals: "the Manage Server or Manage Channels permission in this server". */
    adminRule?: string;
    isAdmin(): Promise<boolean>;
  };
  /**
   * The asker's /settings (user over chat over default), read by runCommand from services.settings
   * unless given here; absent means USD and UTC (no store, e.g. one-shot CLI runs).
   */
  prefs?: import('./prefs.ts').Prefs;
  services: CommandServices;
}

interface Refusal {
  title: string;
  text: string;
}

/**
 * A service filled in only where the bot runs with its database (not one-shot shell runs), and
 * `user`: an asker the bot can tell apart. Checked in this order.
 */
export type Needs = Partial<Record<'alerts' | 'digests' | 'account' | 'user', Refusal>>;

interface BaseSpec {
  description: string;
  required?: boolean;
  /** Shown in help and in validation messages. */
  example: string;
}
interface NumberSpec extends BaseSpec {
  kind: 'number' | 'integer';
  min: number;
  max: number;
  unit?: string;
}
export interface ChoiceSpec extends BaseSpec {
  kind: 'choice';
  choices: readonly string[];
  /** Other spellings users type, mapped to a canonical choice (e.g. "s19j-pro" → "s19jpro"). */
  aliases?: Readonly<Record<string, string>>;
  /** Discord: suggest choices as the user types instead of a fixed list (needed past 25 choices). */
  autocomplete?: boolean;
  /**
   * How typed text and choices are compared (both go through it). Default: lowercase without
   * spaces, dashes or underscores. ASIC models also drop maker words ("Antminer S19j Pro").
   */
  normalise?: (typed: string) => string;
  /** A choice's full name for messages, e.g. "Antminer S21 XP" for s21xp. */
  label?: (choice: string) => string;
}
interface TextSpec extends BaseSpec {
  kind: 'text';
  maxLength: number;
  /** What a valid value looks like, for help and errors (default: "text of at most N characters"). */
  accepts?: string;
}
export type OptionSpec = NumberSpec | ChoiceSpec | TextSpec;

type ValueOf<S extends OptionSpec> = S extends ChoiceSpec | TextSpec ? string : number;
export type OptionSpecs = Record<string, OptionSpec>;
type ArgsOf<O extends OptionSpecs> = {
  [K in keyof O as O[K]['required'] extends true ? K : never]: ValueOf<O[K]>;
} & {
  [K in keyof O as O[K]['required'] extends true ? never : K]?: ValueOf<O[K]>;
};

export interface Command<O extends OptionSpecs = OptionSpecs> {
  name: string;
  description: string;
  /** Declaration order is the positional order on Telegram and in the terminal. */
  options: O;
  /**
   * Channel administration: refused to non-admins and where the bot cannot post on its own
   * (core/preconditions.ts); Discord also hides it from them (default_member_permissions).
   */
  adminOnly?: boolean;
  /**
   * Every reply is for the asker alone (alerts): platforms never show it, or a placeholder, to
   * others, and it is refused where everyone in the chat would see it (core/preconditions.ts).
   */
  personal?: boolean;
  /**
   * What it cannot run without, each with what to say where it is missing (core/preconditions.ts).
   * Given the parsed options, since actions of one command may differ (showing the digest needs
   * nothing; subscribing to it, the store).
   */
  needs?(args: ArgsOf<O>): Needs | undefined;
  /**
   * The reply depends only on the options and market data (not on who asks or where), so
   * concurrent identical asks share one run (see runCommand).
   */
  shared?: boolean;
  examples: string[];
  run(ctx: CommandContext, args: ArgsOf<O>): Promise<Reply>;
}

export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}

const squash = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
const lookups = new WeakMap<ChoiceSpec, Map<string, string>>();

/**
 * Every spelling of a spec's choices, normalised, → the choice. A Map rather than an object, so
 * text such as "constructor" or "__proto__" is an ordinary miss, never a hit on Object.prototype.
 */
function choiceLookup(spec: ChoiceSpec): Map<string, string> {
  let map = lookups.get(spec);
  if (!map) {
    const norm = spec.normalise ?? squash;
    map = new Map(spec.choices.map((c) => [norm(c), c]));
    for (const [alias, choice] of Object.entries(spec.aliases ?? {})) {
      if (spec.choices.includes(choice) && !map.has(norm(alias))) map.set(norm(alias), choice);
    }
    lookups.set(spec, map);
  }
  return map;
}

export function normaliseChoice(spec: ChoiceSpec, raw: string): string | undefined {
  const key = (spec.normalise ?? squash)(raw);
  return key ? choiceLookup(spec).get(key) : undefined;
}

/** The choice a mistyped value most likely meant ("s21 xpp" → s21xp), or undefined. */
export function suggestChoice(spec: ChoiceSpec, raw: string): string | undefined {
  const near = closest((spec.normalise ?? squash)(raw), choiceLookup(spec).keys());
  return near === undefined ? undefined : choiceLookup(spec).get(near);
}

const showChoice = (spec: ChoiceSpec, c: string) => (spec.label ? `${c} (${spec.label(c)})` : c);

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 6 });

export function describeAccepted(name: string, spec: OptionSpec): string {
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      const what = spec.kind === 'integer' ? 'a whole number' : 'a number';
      const unit = spec.unit ? ` ${spec.unit}` : '';
      return `\`${name}\` must be ${what} from ${fmt(spec.min)} to ${fmt(spec.max)}${unit}, e.g. ${spec.example}`;
    }
    case 'choice':
      // Every choice, never cut short: a list with "…" hides the one the user was looking for.
      return `\`${name}\` must be one of: ${spec.choices.map((c) => showChoice(spec, c)).join(', ')}`;
    case 'text':
      return `\`${name}\` must be ${spec.accepts ?? `text of at most ${spec.maxLength} characters`}`;
  }
}

function schemaFor(spec: OptionSpec): z.ZodType<string | number> {
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      let n = z.number().finite().min(spec.min).max(spec.max);
      if (spec.kind === 'integer') n = n.int();
      return z.preprocess(parseHumanNumber, n);
    }
    case 'choice':
      return z.preprocess((v) => (typeof v === 'string' ? normaliseChoice(spec, v) : undefined), z.string());
    case 'text':
      return z.string().max(spec.maxLength);
  }
}

const fits = (spec: OptionSpec | undefined, value: string) => spec !== undefined && schemaFor(spec).safeParse(value).success;

export type ParseResult<O extends OptionSpecs> = { ok: true; args: ArgsOf<O> } | { ok: false; message: string };

const shorten = (v: unknown) => {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
};

/** A plain word right after a named option ("price=60 000x"), so its error can say why it landed where it did. */
interface Origin {
  /** The word(s) as typed. */
  typed: string;
  /** The named option before it as typed, and the options plain words fill. */
  after: { typed: string; open: readonly string[] };
}
/** Filled by splitArgs for the objects it returns; Discord's typed options have no such story. */
const origins = new WeakMap<object, ReadonlyMap<string, Origin>>();

function valueProblem(name: string, spec: OptionSpec, value: unknown, origin: Origin | undefined): string {
  const near = spec.kind === 'choice' && typeof value === 'string' ? suggestChoice(spec, value) : undefined;
  if (near !== undefined)
    return `No ${name} "${shorten(value)}" — did you mean ${showChoice(spec as ChoiceSpec, near)}?\n${describeAccepted(name, spec)}`;
  // The user likely meant the word as part of the option before it; say why it landed here.
  const why = origin
    ? `, the word after "${shorten(origin.after.typed)}"; words without name= fill the open options in order: ${origin.after.open.join(', ')}`
    : '';
  return `${describeAccepted(name, spec)} (got "${shorten(origin?.typed ?? value)}"${why})`;
}

/**
 * Validates raw option values from any platform (strings from chat text, numbers from Discord).
 * Unknown option names are rejected rather than ignored, so a typo never silently changes an answer.
 */
export function parseOptions<O extends OptionSpecs>(command: Command<O>, raw: Record<string, unknown>): ParseResult<O> {
  const problems: string[] = [];
  const args: Record<string, string | number> = {};
  const typedAs = origins.get(raw);
  const known = Object.keys(command.options);
  const surplus = Object.keys(raw)
    .filter((key) => key.startsWith('#'))
    .map((key) => `"${shorten(raw[key])}"`);
  if (surplus.length) {
    // One line however many words were pasted.
    const shown = surplus.length > 3 ? `${surplus.slice(0, 3).join(', ')} and ${surplus.length - 3} more` : surplus.join(', ');
    problems.push(
      `Too many values: ${shown} ${surplus.length === 1 ? 'has' : 'have'} no option left to fill; \`/${command.name}\` takes: ${known.join(', ') || 'no options'}`,
    );
  }
  const unknown = Object.keys(raw).filter((key) => !Object.hasOwn(command.options, key) && !key.startsWith('#'));
  if (unknown.length && !known.length) problems.push(`\`/${command.name}\` takes no options`);
  else {
    for (const key of unknown.slice(0, 3)) {
      const near = closest(key.toLowerCase(), known);
      problems.push(
        `\`/${command.name}\` has no option \`${shorten(key)}\`${near ? ` — did you mean \`${near}\`? It` : '; it'} takes: ${known.join(', ')}`,
      );
    }
    if (unknown.length > 3) problems.push(`… and ${unknown.length - 3} more options it does not have`);
  }
  for (const [name, spec] of Object.entries(command.options)) {
    const value = Object.hasOwn(raw, name) ? raw[name] : undefined;
    if (value === undefined || value === null || value === '') {
      if (spec.required) problems.push(`\`${name}\` is required: ${describeAccepted(name, spec)}`);
      continue;
    }
    const parsed = schemaFor(spec).safeParse(value);
    if (parsed.success) args[name] = parsed.data;
    else problems.push(valueProblem(name, spec, value, typedAs?.get(name)));
  }
  if (problems.length) return { ok: false, message: problems.join('\n') };
  return { ok: true, args: args as ArgsOf<O> };
}

interface Item {
  /** Set when the user named the option (price=…, --price …, price = …). */
  name?: string;
  value: string;
  typed: string;
}

const FLAG = /^--?([a-z][\w-]*)(?:=(.*))?$/i;
const PAIR = /^([a-z][\w-]*)[=:](.*)$/i;
const NAME = /^[a-z][\w-]*$/i;

/** Tokens → named values and plain words; "price = 60000" and "price= 60000" are one named value. */
function readItems(tokens: readonly string[]): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const next = tokens[i + 1];
    const flag = FLAG.exec(t);
    const pair = PAIR.exec(t);
    if (flag && !/^-\d/.test(t)) {
      const name = flag[1]!.toLowerCase();
      if (flag[2] !== undefined) items.push({ name, value: flag[2], typed: t });
      else if (next !== undefined) items.push({ name, value: tokens[++i]!, typed: `${t} ${next}` });
      else items.push({ name, value: '', typed: t });
    } else if (NAME.test(t) && next?.startsWith('=')) {
      const name = t.toLowerCase();
      if (next !== '=') {
        items.push({ name, value: next.slice(1), typed: `${t} ${next}` });
        i += 1;
      } else {
        const value = tokens[i + 2] ?? '';
        items.push({ name, value, typed: `${t} = ${value}`.trim() });
        i += 2;
      }
    } else if (pair) {
      const name = pair[1]!.toLowerCase();
      if (pair[2] === '' && next !== undefined && !FLAG.test(next) && !PAIR.test(next)) {
        items.push({ name, value: next, typed: `${t} ${next}` });
        i += 1;
      } else {
        items.push({ name, value: pair[2]!, typed: t });
      }
    } else {
      items.push({ value: t, typed: t });
    }
  }
  return items;
}

/** How many plain words the longest choice phrase starting here may take ("bitmain antminer s19j pro"). */
const MAX_PHRASE_WORDS = 5;

/**
 * How many of the plain words after a value belong to it rather than to the next option:
 * the rest of a model name ("s19j pro"), a thousands group ("60 000") or a suffix ("120 T").
 * Only where that reading is unambiguous: the words do not fit the option they would otherwise fill.
 */
function continuation(spec: OptionSpec | undefined, value: string, words: readonly string[], nextSpec: OptionSpec | undefined): number {
  if (spec?.kind === 'choice') {
    const phrase = (k: number) => [value, ...words.slice(0, k)].join(' ');
    const max = Math.min(words.length, MAX_PHRASE_WORDS - 1);
    for (let k = max; k > 0; k--) if (normaliseChoice(spec, phrase(k)) !== undefined) return k;
    // A near miss ("s21 xpp") stays one value, so the error can suggest the model rather than
    // blame the power price for "xpp".
    // Only when the words change the guess: "hashprice 2y" is hashprice and a bad range.
    const alone = normaliseChoice(spec, value);
    let k = 0;
    while (k < max && Number.isNaN(parseHumanNumber(words[k])) && !fits(nextSpec, words[k]!)) k++;
    const run = k;
    for (; k > 0; k--) {
      const near = suggestChoice(spec, phrase(k));
      if (near !== undefined && near !== alone) return k;
    }
    // A miss either way ("antminer s9"): one error quoting the whole name, rather than a second one
    // blaming the power price for "s9".
    return alone === undefined ? run : 0;
  }
  if (spec?.kind === 'number' || spec?.kind === 'integer') {
    let k = 0;
    let joined = value;
    while (
      k < words.length &&
      /^(?:\d{3}|[kmgtp])$/i.test(words[k]!) &&
      fits(spec, `${joined} ${words[k]}`) &&
      !fits(nextSpec, words[k]!)
    ) {
      joined = `${joined} ${words[k]}`;
      k++;
    }
    return k;
  }
  return 0;
}

/**
 * Splits chat/terminal arguments: `price=60k eur --height 890000 s19jpro`.
 * Bare words fill the options without a value yet, in declaration order.
 */
export function splitArgs(command: Command, tokens: readonly string[]): Record<string, string> {
  const items = readItems(tokens);
  const specOf = (name: string | undefined) =>
    name !== undefined && Object.hasOwn(command.options, name) ? command.options[name] : undefined;
  const named = new Set(items.flatMap((it) => (it.name === undefined ? [] : [it.name])));
  const free = Object.keys(command.options).filter((n) => !named.has(n));
  const out = new Map<string, string>();
  const from = new Map<string, Origin>();
  let nextFree = 0;
  let words = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const plain = item.name === undefined;
    if (plain) words++;
    const name = plain ? free[nextFree++] : item.name!;
    if (name === undefined) {
      out.set(`#${words}`, item.value);
      continue;
    }
    // A few words are enough for any model name or spaced number; a pasted essay is not looked at.
    let end = i + 1;
    while (end < items.length && end <= i + MAX_PHRASE_WORDS + 3 && items[end]!.name === undefined) end++;
    const following = items.slice(i + 1, end).map((it) => it.value);
    const k = continuation(specOf(name), item.value, following, specOf(free[nextFree]));
    const value = [item.value, ...following.slice(0, k)].join(' ');
    const typed = [item.typed, ...following.slice(0, k)].join(' ');
    words += k;
    i += k;
    out.set(name, value);
    const previous = items[i - k - 1];
    // A named value is quoted as its value (the option's name is in the message already); a plain
    // word is quoted with the named option before it, which is where the user probably meant it.
    if (plain && previous?.name !== undefined) from.set(name, { typed, after: { typed: previous.typed, open: free } });
  }
  // fromEntries defines own properties, so even a "__proto__=" option reaches validation as typed.
  const raw = Object.fromEntries(out);
  origins.set(raw, from);
  return raw;
}

/** Chat text after the command name, split on whitespace, keeping "quoted words" together. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) tokens.push(m[1] ?? m[2] ?? m[3] ?? '');
  return tokens;
}
