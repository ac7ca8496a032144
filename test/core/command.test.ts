import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineCommand, parseOptions, splitArgs, tokenize } from '../../src/core/command.ts';
import { parseHumanNumber } from '../../src/core/numbers.ts';

const sample = defineCommand({
  name: 'sample',
  description: 'test',
  options: {
    model: { kind: 'choice', choices: ['s19jpro', 's21'], aliases: { s19: 's19jpro' }, example: 's21', description: 'm' },
    power: { kind: 'number', min: 0, max: 2, unit: 'USD per kWh', example: '0.06', description: 'p' },
    count: { kind: 'integer', min: 1, max: 10, example: '3', description: 'c' },
  },
  examples: ['/sample s21 0.05'],
  run: async () => ({ title: 't', sections: [], footer: [], tone: 'neutral' }),
});

describe('parseHumanNumber', () => {
  it.each([
    ['60000', 60000],
    ['60,000', 60000],
    ['60_000', 60000],
    ['60k', 60000],
    ['$60K', 60000],
    ['113.76T', 113.76e12],
    ['1.2e14', 1.2e14],
    ['6%', 6],
    ['-10', -10],
    ['.5', 0.5],
  ])('%s → %d', (raw, value) => expect(parseHumanNumber(raw)).toBeCloseTo(value, 6));

  it.each(['', 'abc', '1.2.3', '10x', 'NaN', 'Infinity', '0x10', '1e'])('rejects %j', (raw) => expect(parseHumanNumber(raw)).toBeNaN());
});

describe('parseOptions', () => {
  it('accepts valid values and normalises choices and aliases', () => {
    expect(parseOptions(sample, { model: 'S19J-Pro', power: '0.06' })).toEqual({ ok: true, args: { model: 's19jpro', power: 0.06 } });
    expect(parseOptions(sample, { model: 's19' })).toEqual({ ok: true, args: { model: 's19jpro' } });
  });

  it('says what is accepted for a bad number, naming the bad value', () => {
    const r = parseOptions(sample, { power: '3' });
    expect(r).toEqual({ ok: false, message: '`power` must be a number from 0 to 2 USD per kWh, e.g. 0.06 (got "3")' });
  });

  it('rejects fractions for integer options', () => {
    const r = parseOptions(sample, { count: '2.5' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain('`count` must be a whole number from 1 to 10');
  });

  it('lists the choices for an unknown choice', () => {
    const r = parseOptions(sample, { model: 'antminer9000' });
    expect(!r.ok && r.message).toBe('`model` must be one of: s19jpro, s21 (got "antminer9000")');
  });

  it('rejects unknown options instead of silently ignoring them', () => {
    const r = parseOptions(sample, { pwr: '0.05' });
    expect(!r.ok && r.message).toBe('`/sample` has no option `pwr`; it takes: model, power, count');
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double(), fc.integer(), fc.constant(null), fc.boolean())), (raw) => {
        const r = parseOptions(sample, raw);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});

describe('splitArgs and tokenize', () => {
  it('fills options from positional words in declaration order', () => {
    expect(splitArgs(sample, ['s21', '0.05'])).toEqual({ model: 's21', power: '0.05' });
  });
  it('mixes key=value, --flag value and --flag=value', () => {
    expect(splitArgs(sample, ['power=0.04', '--count', '3', 's21'])).toEqual({ power: '0.04', count: '3', model: 's21' });
    expect(splitArgs(sample, ['--power=0.04'])).toEqual({ power: '0.04' });
  });
  it('keeps negative numbers as values, not flags', () => {
    expect(splitArgs(sample, ['s21', '-10'])).toEqual({ model: 's21', power: '-10' });
  });
  it('reports surplus words so they are not ignored', () => {
    expect(parseOptions(sample, splitArgs(sample, ['s21', '0.05', '3', 'extra']))).toEqual({
      ok: false,
      message: 'Too many values: "extra" has no option left to fill; `/sample` takes: model, power, count',
    });
  });
  it('keeps quoted words together', () => {
    expect(tokenize('add "hashprice usd"  below 40')).toEqual(['add', 'hashprice usd', 'below', '40']);
  });
});
