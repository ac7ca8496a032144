import { ApplicationCommandOptionType as T, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { defineCommand, type Command } from '../../../src/core/command.ts';
import { suggestChoices } from '../../../src/adapters/discord/autocomplete.ts';
import {
  buildSlashCommands,
  normaliseCommandSet,
  slashCommandProblems,
  type SlashCommandJSON,
} from '../../../src/adapters/discord/slash.ts';

const byName = (set: SlashCommandJSON[], name: string) => set.find((c) => c.name === name)!;
const optionsOf = (c: SlashCommandJSON) => (c.options ?? []) as any[];

const probe = (overrides: Partial<Command> = {}): Command =>
  defineCommand({
    name: 'probe',
    description: 'A command made for this test',
    options: {},
    examples: ['/probe'],
    run: async () => ({ title: 'x', sections: [], footer: [], tone: 'neutral' }),
    ...overrides,
  }) as Command;

describe('slash commands generated from the command declarations', () => {
  const set = buildSlashCommands(commands);

  it('covers every command and passes Discord limits (names, descriptions, ≤ 25 options/choices, ≤ 4000 chars)', () => {
    expect(set.map((c) => c.name)).toEqual(commands.map((c) => c.name));
    expect(slashCommandProblems(set)).toEqual([]);
    for (const c of set) {
      expect(c.name).toMatch(/^[-_\p{L}\p{N}]{1,32}$/u);
      expect(c.name).toBe(c.name.toLowerCase());
      expect(c.description.length).toBeGreaterThanOrEqual(1);
      expect(c.description.length).toBeLessThanOrEqual(100);
      expect(JSON.stringify(c).length).toBeLessThan(8000);
    }
  });

  it('maps option kinds: number → NUMBER and integer → INTEGER with bounds, text → STRING with max_length', () => {
    const hp = optionsOf(byName(set, 'hashprice'));
    expect(hp.find((o) => o.name === 'price')).toMatchObject({ type: T.Number, min_value: 1, max_value: 10_000_000, required: false });
    expect(hp.find((o) => o.name === 'height')).toMatchObject({ type: T.Integer, min_value: 0, max_value: 13_440_000 });
    // Discord caps bounds at 2^53; the declared 1e18 is clamped, not sent.
    expect(hp.find((o) => o.name === 'difficulty')).toMatchObject({ type: T.Number, min_value: 1, max_value: 2 ** 53 });
    expect(optionsOf(byName(set, 'help'))[0]).toMatchObject({ name: 'command', type: T.String, max_length: 40 });
  });

  it('lists short choice sets and autocompletes ASIC models and currencies', () => {
    expect(optionsOf(byName(set, 'pools'))[0]).toMatchObject({
      type: T.String,
      choices: [
        { name: '24h', value: '24h' },
        { name: '1w', value: '1w' },
        { name: '1m', value: '1m' },
        { name: '3m', value: '3m' },
        { name: '1y', value: '1y' },
      ],
    });
    const model = optionsOf(byName(set, 'profit')).find((o) => o.name === 'model');
    expect(model).toMatchObject({ type: T.String, autocomplete: true });
    expect(model.choices).toBeUndefined();
    const currency = optionsOf(byName(set, 'price')).find((o) => o.name === 'currency');
    expect(currency).toMatchObject({ type: T.String, autocomplete: true });
  });

  it('is usable in servers, in DMs with the bot, and (user install) in DMs and group DMs between users', () => {
    for (const c of set)
      expect(c.contexts).toEqual([InteractionContextType.Guild, InteractionContextType.BotDM, InteractionContextType.PrivateChannel]);
  });

  it('puts required options first, keeping declaration order otherwise; choice lists over 25 become autocomplete', () => {
    const many = Array.from({ length: 30 }, (_, i) => `c${i}`);
    const [json] = buildSlashCommands([
      probe({
        options: {
          b: { kind: 'number', min: 0, max: 1, example: '1', description: 'optional b' },
          a: { kind: 'text', maxLength: 10, required: true, example: 'x', description: 'required a' },
          d: { kind: 'choice', choices: many, example: 'c1', description: 'optional d' },
          c: { kind: 'integer', min: 0, max: 9, required: true, example: '1', description: 'required c' },
        },
      }),
    ]);
    expect(optionsOf(json!).map((o) => [o.name, o.required])).toEqual([
      ['a', true],
      ['c', true],
      ['b', false],
      ['d', false],
    ]);
    expect(optionsOf(json!)[3]).toMatchObject({ autocomplete: true });
    expect(slashCommandProblems([json!])).toEqual([]);
  });

  it('gives admin-only commands default_member_permissions Manage Server | Manage Channels', () => {
    const [json] = buildSlashCommands([probe({ adminOnly: true })]);
    expect(BigInt(json!.default_member_permissions!)).toBe(PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageChannels);
    expect(byName(set, 'hashprice').default_member_permissions).toBeUndefined();
  });
});

describe('slashCommandProblems catches what Discord would reject', () => {
  const one = (c: Partial<Command>) => slashCommandProblems(buildSlashCommands([probe(c)]));

  it.each([
    ['an uppercase name', { name: 'HashPrice' }, /name "HashPrice"/],
    ['a 33-character name', { name: 'a'.repeat(33) }, /must be 1-32/],
    ['a space in a name', { name: 'hash price' }, /must be 1-32/],
    ['an empty description', { description: '' }, /description is 0 characters/],
    ['a 101-character description', { description: 'x'.repeat(101) }, /description is 101 characters/],
  ])('%s', (_what, c, message) => {
    expect(one(c as Partial<Command>).join('\n')).toMatch(message);
  });

  it('26 options and a long option description', () => {
    const options = Object.fromEntries(
      Array.from({ length: 26 }, (_, i) => [
        `o${i}`,
        { kind: 'text', maxLength: 5, example: 'x', description: 'd'.repeat(i === 0 ? 101 : 99) },
      ]),
    );
    const problems = one({ options } as Partial<Command>).join('\n');
    expect(problems).toMatch(/26 options; at most 25/);
    expect(problems).toMatch(/o0: description is 101/);
  });

  it('more than 4000 characters in names, descriptions and choices, each part within its own limit', () => {
    const choices = Array.from({ length: 25 }, (_, i) => `choice-number-${String(i).padStart(2, '0')}`);
    const options = Object.fromEntries(
      Array.from({ length: 6 }, (_, i) => [`o${i}`, { kind: 'choice', choices, example: 'x', description: 'd'.repeat(99) }]),
    );
    // 6 × (2 + 99 + 25 × 2 × 16) = 5,406 characters.
    expect(one({ options } as Partial<Command>)).toEqual([
      expect.stringMatching(/\/probe: 5\d{3} characters in names, descriptions and choices; at most 4000/),
    ]);
  });

  it('26 fixed choices, a required option after an optional one, duplicate command names', () => {
    const json = buildSlashCommands([probe({ options: { w: { kind: 'text', maxLength: 5, example: 'x', description: 'w' } } })])[0]!;
    const broken: SlashCommandJSON = {
      ...json,
      options: [
        {
          type: T.String,
          name: 'opt',
          description: 'x',
          required: false,
          choices: Array.from({ length: 26 }, (_, i) => ({ name: `n${i}`, value: `v${i}` })),
        },
        { type: T.Number, name: 'req', description: 'x', required: true, max_value: 2 ** 60 },
      ],
    };
    const problems = slashCommandProblems([broken, json]).join('\n');
    expect(problems).toMatch(/26 choices/);
    expect(problems).toMatch(/req: required option after an optional one/);
    expect(problems).toMatch(/outside ±2\^53/);
    expect(problems).toMatch(/duplicate command name/);
  });
});

describe('normaliseCommandSet (is the registered set current?)', () => {
  const set = buildSlashCommands(commands);

  it('equals what Discord returns for the same set (ids, versions, defaults, any order)', () => {
    let n = 1000;
    const fromDiscord = [...set].reverse().map((c) => ({
      id: String(n++),
      application_id: '42',
      version: String(n++),
      default_member_permissions: null,
      dm_permission: true,
      nsfw: false,
      name_localizations: null,
      description_localizations: null,
      ...c,
      options: optionsOf(c).map((o) => ({ ...o, required: o.required || undefined, name_localizations: null })),
    }));
    expect(normaliseCommandSet(fromDiscord)).toBe(normaliseCommandSet(set));
  });

  it('differs when a description, an option bound or the command list changes', () => {
    const base = normaliseCommandSet(set);
    expect(normaliseCommandSet(set.map((c) => (c.name === 'fees' ? { ...c, description: `${c.description}!` } : c)))).not.toBe(base);
    expect(
      normaliseCommandSet(
        set.map((c) =>
          c.name === 'hashprice' ? { ...c, options: optionsOf(c).map((o) => (o.name === 'price' ? { ...o, max_value: 5 } : o)) } : c,
        ),
      ),
    ).not.toBe(base);
    expect(normaliseCommandSet(set.slice(1))).not.toBe(base);
  });
});

describe('autocomplete suggestions', () => {
  const profit = commands.find((c) => c.name === 'profit')!;
  const model = profit.options.model as Extract<(typeof profit.options)[string], { kind: 'choice' }>;

  it('filters ASIC models by what was typed, prefix matches first, at most 25', () => {
    const got = suggestChoices(model, 'S19');
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThanOrEqual(25);
    for (const c of got) expect(c.toLowerCase()).toContain('s19');
    expect(suggestChoices(model, '').length).toBe(Math.min(25, model.choices.length));
    expect(suggestChoices(model, 'zzzz-no-such')).toEqual([]);
  });

  it('reads model names as people type them: maker words, full names, typos', () => {
    expect(suggestChoices(model, 'antminer s19')).toEqual(['s19xp', 's19kpro', 's19jpro', 's19pro', 's19']);
    expect(suggestChoices(model, 'whatsminer')).toEqual(['m60s', 'm50s', 'm30s++']);
    expect(suggestChoices(model, 'S21 XP')).toEqual(['s21xphyd', 's21xp']);
    expect(suggestChoices(model, 's21xpp')).toEqual(['s21xp']);
  });

  it('prefix matches before substring matches, and aliases lead to their canonical choice', () => {
    const spec = {
      kind: 'choice' as const,
      choices: ['xs21', 's21', 's21xp'],
      aliases: { 'antminer-s9': 's9', 'big-one': 's21xp' },
      example: 's21',
      description: 'm',
    };
    expect(suggestChoices(spec, 's21')).toEqual(['s21', 's21xp', 'xs21']);
    expect(suggestChoices(spec, 'big')).toEqual(['s21xp']);
    // An alias to a choice that does not exist is not suggested.
    expect(suggestChoices(spec, 'antminer')).toEqual([]);
  });
});
