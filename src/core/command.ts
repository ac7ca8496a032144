/**
 * How a command is declared. One declaration drives every surface: Discord slash options
 * (type, min/max, choices, autocomplete), Telegram `/cmd positional key=value` parsing, the CLI's
 * `--key value` flags, and the validation messages users see.
 */
import { z } from 'zod';
import type { Reply } from './reply.ts';
import type { Market } from '../sources/types.ts';

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
    isAdmin(): Promise<boolean>;
  };
  services: CommandServices;
}

/** Stateful services some commands need (alerts, digest subscriptions); filled in by main. */
export interface CommandServices {
  /** Personal alert rules (/alert); absent where there is no store (e.g. one-shot CLI runs). */
  alerts?: import('../alerts/service.ts').AlertCommands;
  /** Daily digest subscriptions (/digest subscribe…); absent where there is no store. */
  digests?: import('../scheduler/digests.ts').DigestCommands;
}

interface BaseSpec {
  description: string;
  required?: boolean;
  /** Shown in help and in validation messages. */
  example: string;
}
export interface NumberSpec extends BaseSpec {
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
}
export interface TextSpec extends BaseSpec {
  kind: 'text';
  maxLength: number;
}
export type OptionSpec = NumberSpec | ChoiceSpec | TextSpec;

type ValueOf<S extends OptionSpec> = S extends ChoiceSpec | TextSpec ? string : number;
export type OptionSpecs = Record<string, OptionSpec>;
export type ArgsOf<O extends OptionSpecs> = {
  [K in keyof O as O[K]['required'] extends true ? K : never]: ValueOf<O[K]>;
} & {
  [K in keyof O as O[K]['required'] extends true ? never : K]?: ValueOf<O[K]>;
};

export interface Command<O extends OptionSpecs = OptionSpecs> {
  name: string;
  description: string;
  /** Declaration order is the positional order on Telegram and in the terminal. */
  options: O;
  /** Channel administration commands: Discord default_member_permissions + re-check in handler. */
  adminOnly?: boolean;
  /** Every reply is for the asker alone (alerts): platforms never show it, or a placeholder, to others. */
  personal?: boolean;
  examples: string[];
  run(ctx: CommandContext, args: ArgsOf<O>): Promise<Reply>;
}

export function defineCommand<const O extends OptionSpecs>(command: Command<O>): Command<O> {
  return command;
}

// No 'e' (exa): it would make "1e" ambiguous with scientific notation.
const SUFFIX: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/**
 * Numbers as people type them: "60000", "60,000", "60_000", "60k", "1.2e14", "113.76T", "$60k", "6%".
 * Returns NaN for anything else so validation can say what is accepted.
 */
export function parseHumanNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return Number.NaN;
  const s = raw.trim().replace(/^\$/, '').replace(/[,_]/g, '').replace(/%$/, '');
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([kmgtp])?$/i.exec(s);
  if (!m) return Number.NaN;
  const base = Number(m[1]);
  return m[2] ? base * (SUFFIX[m[2].toLowerCase()] ?? Number.NaN) : base;
}

export function normaliseChoice(spec: ChoiceSpec, raw: string): string | undefined {
  const key = raw.trim().toLowerCase();
  const squashed = key.replace(/[\s_-]+/g, '');
  const direct = spec.choices.find((c) => c.toLowerCase() === key || c.toLowerCase().replace(/[\s_-]+/g, '') === squashed);
  if (direct) return direct;
  const alias = spec.aliases?.[key] ?? spec.aliases?.[squashed];
  return alias;
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 6 });

export function describeAccepted(name: string, spec: OptionSpec): string {
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      const what = spec.kind === 'integer' ? 'a whole number' : 'a number';
      const unit = spec.unit ? ` ${spec.unit}` : '';
      return `\`${name}\` must be ${what} from ${fmt(spec.min)} to ${fmt(spec.max)}${unit}, e.g. ${spec.example}`;
    }
    case 'choice': {
      const shown = spec.choices.length > 12 ? `${spec.choices.slice(0, 12).join(', ')}, …` : spec.choices.join(', ');
      return `\`${name}\` must be one of: ${shown}`;
    }
    case 'text':
      return `\`${name}\` must be text of at most ${spec.maxLength} characters`;
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
      return z.preprocess(
        (v) => (typeof v === 'string' ? normaliseChoice(spec, v) : undefined),
        z.string(),
      );
    case 'text':
      return z.string().max(spec.maxLength);
  }
}

export type ParseResult<O extends OptionSpecs> =
  | { ok: true; args: ArgsOf<O> }
  | { ok: false; message: string };

const shorten = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
};

/**
 * Validates raw option values from any platform (strings from chat text, numbers from Discord).
 * Unknown option names are rejected rather than ignored, so a typo never silently changes an answer.
 */
export function parseOptions<O extends OptionSpecs>(
  command: Command<O>,
  raw: Record<string, unknown>,
): ParseResult<O> {
  const problems: string[] = [];
  const args: Record<string, string | number> = {};
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(command.options, key)) {
      const known = Object.keys(command.options);
      if (key.startsWith('#')) {
        problems.push(`Too many values: "${shorten(raw[key])}" has no option left to fill; \`/${command.name}\` takes: ${known.join(', ') || 'no options'}`);
        continue;
      }
      problems.push(
        known.length
          ? `\`/${command.name}\` has no option \`${shorten(key)}\`; it takes: ${known.join(', ')}`
          : `\`/${command.name}\` takes no options`,
      );
    }
  }
  for (const [name, spec] of Object.entries(command.options)) {
    const value = raw[name];
    if (value === undefined || value === null || value === '') {
      if (spec.required) problems.push(`\`${name}\` is required: ${describeAccepted(name, spec)}`);
      continue;
    }
    const parsed = schemaFor(spec).safeParse(value);
    if (parsed.success) args[name] = parsed.data;
    else problems.push(`${describeAccepted(name, spec)} (got "${shorten(value)}")`);
  }
  if (problems.length) return { ok: false, message: problems.join('\n') };
  return { ok: true, args: args as ArgsOf<O> };
}

/**
 * Splits chat/terminal arguments: `price=60k eur --height 890000 s19jpro`.
 * Bare words fill the options without a value yet, in declaration order.
 */
export function splitArgs(command: Command, tokens: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const flag = /^--?([a-z][\w-]*)(?:=(.*))?$/i.exec(t);
    const pair = /^([a-z][\w-]*)[=:](.*)$/i.exec(t);
    if (flag && !/^-\d/.test(t)) {
      const name = flag[1]!.toLowerCase();
      if (flag[2] !== undefined) out[name] = flag[2];
      else if (i + 1 < tokens.length) out[name] = tokens[++i]!;
      else out[name] = '';
    } else if (pair) {
      out[pair[1]!.toLowerCase()] = pair[2]!;
    } else {
      positional.push(t);
    }
  }
  const free = Object.keys(command.options).filter((n) => !(n in out));
  positional.forEach((value, i) => {
    const name = free[i];
    if (name) out[name] = value;
    else out[`#${i + 1}`] = value;
  });
  return out;
}

/** Chat text after the command name, split on whitespace, keeping "quoted words" together. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) tokens.push(m[1] ?? m[2] ?? m[3] ?? '');
  return tokens;
}
