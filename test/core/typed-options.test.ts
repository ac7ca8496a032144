/** Options as people type them in a chat or the terminal: spaces around =, spaced numbers, model names in words. */
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { defineCommand, parseOptions, splitArgs, tokenize, type Command } from '../../src/core/command.ts';

const byName = (name: string) => commands.find((c) => c.name === name)! as unknown as Command;
const read = (name: string, text: string) => {
  const command = byName(name);
  return parseOptions(command, splitArgs(command, tokenize(text)));
};

describe('name = value', () => {
  it.each(['price = 60000', 'price =60000', 'price= 60000', 'price=60000', '--price 60000'])('%j sets price', (text) => {
    expect(read('hashprice', text)).toEqual({ ok: true, args: { price: 60_000 } });
  });
});

describe('a value split by a space', () => {
  it('joins a thousands group to the number before it', () => {
    expect(read('hashprice', 'price=60 000')).toEqual({ ok: true, args: { price: 60_000 } });
    expect(read('hashprice', 'price = 60 000')).toEqual({ ok: true, args: { price: 60_000 } });
    // "000" alone would be a difficulty of 0, which is no value at all: the group belongs to the price.
    expect(read('hashprice', '60 000')).toEqual({ ok: true, args: { price: 60_000 } });
  });

  it('joins a unit suffix to the number before it', () => {
    expect(read('hashprice', 'difficulty=120 T')).toEqual({ ok: true, args: { difficulty: 120e12 } });
  });

  it('keeps two values apart when the second one is a value of its own', () => {
    // "120" is a valid difficulty of its own, so "60 120" is two values, not 60,120.
    expect(splitArgs(byName('hashprice'), tokenize('price=60 120'))).toEqual({ price: '60', difficulty: '120' });
    expect(splitArgs(byName('hashprice'), tokenize('70000 120T'))).toEqual({ price: '70000', difficulty: '120T' });
  });
});

describe('errors name what the user typed', () => {
  it('blames the word typed, and says why it filled the option it did', () => {
    const r = read('hashprice', 'price=60 000x');
    expect(r.ok).toBe(false);
    // Before: "`difficulty` must be a number … (got "000")" for "price=60 000".
    expect(!r.ok && r.message).toBe(
      '`difficulty` must be a number from 1 to 1,000,000,000,000,000,000, e.g. difficulty=120T (got "000x", the word after "price=60"; words without name= fill the open options in order: difficulty, fees, height)',
    );
  });

  it('blames the named option for its own value, spaces and all', () => {
    // Before: "price = lots" blamed `price` for "price", `difficulty` for "=" and `fees` for "lots".
    const r = read('hashprice', 'price = lots');
    expect(!r.ok && r.message).toBe('`price` must be a number from 1 to 10,000,000 USD per BTC, e.g. price=60000 (got "lots")');
    const t = read('hashprice', 'difficulty=120 TH');
    expect(!t.ok && t.message).toBe(
      '`price` must be a number from 1 to 10,000,000 USD per BTC, e.g. price=60000 (got "TH", the word after "difficulty=120"; words without name= fill the open options in order: price, fees, height)',
    );
  });

  it('suggests the option meant by a misspelt name', () => {
    const r = read('hashprice', 'pirce=60000');
    expect(!r.ok && r.message).toBe('`/hashprice` has no option `pirce` — did you mean `price`? It takes: price, difficulty, fees, height');
  });
});

describe('pasted text', () => {
  it('reports surplus words and unknown options in a few lines, not one per word', () => {
    const r = read('profit', `s19 0.05 100 20 ${'x '.repeat(3000)}`);
    // Before: 3,000 lines of "Too many values: "x" …".
    expect(!r.ok && r.message).toBe(
      'Too many values: "x", "x", "x" and 2997 more have no option left to fill; `/profit` takes: model, power, hashrate, efficiency',
    );
    const u = read('price', 'a=1 b=2 c=3 d=4 e=5');
    expect(!u.ok && u.message.split('\n')).toHaveLength(4);
    expect(!u.ok && u.message.split('\n')[3]).toBe('… and 2 more options it does not have');
    expect(read('fees', 'a=1 b=2')).toEqual({ ok: false, message: '`/fees` takes no options' });
  });
});

describe('model names in words', () => {
  it.each([
    ['antminer s19j pro', 's19jpro'],
    ['Antminer S19j Pro 0.05', 's19jpro'],
    ['bitmain antminer s19j pro', 's19jpro'],
    ['s21 xp', 's21xp'],
    ['S21 XP Hydro', 's21xphyd'],
    ['whatsminer m60s', 'm60s'],
    ['microbt whatsminer m30s++', 'm30s++'],
    ['canaan avalon a1466', 'a1466'],
    ['S21-XP', 's21xp'],
    ['model=antminer s21 pro', 's21pro'],
  ])('%j → %s', (text, id) => {
    const r = read('profit', text);
    expect(r.ok && r.args.model).toBe(id);
  });

  it('reads the power price after a model name of several words', () => {
    expect(read('profit', 'antminer s19j pro 0.05')).toEqual({ ok: true, args: { model: 's19jpro', power: 0.05 } });
    expect(read('profit', 's21 0.05')).toEqual({ ok: true, args: { model: 's21', power: 0.05 } });
  });

  it('suggests the closest model and lists every model on a miss', () => {
    const r = read('profit', 's21 xpp');
    expect(r.ok).toBe(false);
    const lines = !r.ok ? r.message.split('\n') : [];
    expect(lines[0]).toBe('No model "s21 xpp" — did you mean s21xp (Antminer S21 XP)?');
    expect(lines[1]).not.toContain('…');
    for (const id of ['s21xphyd', 's19', 'm30s++', 'a1366']) expect(lines[1]).toContain(`${id} (`);
    expect(lines).toHaveLength(2);
  });

  it('quotes an unknown model name whole, not blaming the power price for its second word', () => {
    const r = read('profit', 'antminer s9 0.05');
    expect(!r.ok && r.message).toMatch(/^`model` must be one of: .* \(got "antminer s9"\)$/);
  });

  it('does not swallow words that belong to other options', () => {
    const tool = defineCommand({
      name: 'tool',
      description: 't',
      options: {
        action: { kind: 'choice', choices: ['add', 'list'], example: 'add', description: 'a' },
        subject: { kind: 'text', maxLength: 20, example: 'x', description: 's' },
      },
      examples: [],
      run: async () => ({ title: 't', sections: [], footer: [], tone: 'neutral' }),
    });
    expect(splitArgs(tool as unknown as Command, ['add', 'hashprice'])).toEqual({ action: 'add', subject: 'hashprice' });
  });
});
