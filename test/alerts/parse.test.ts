import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRuleSpec, parseRule } from '../../src/alerts/parse.ts';
import { describeRule } from '../../src/alerts/rules.ts';

const words = (s: string) => {
  const [subject, condition, value, window] = s.split(' ');
  return { subject, condition, value, window };
};

describe('parseRule', () => {
  it.each([
    ['hashprice below 40', { kind: 'threshold', metric: 'hashprice', direction: 'below', value: 40 }],
    ['price above 100k', { kind: 'threshold', metric: 'price', direction: 'above', value: 100_000 }],
    ['hashrate below 600', { kind: 'threshold', metric: 'hashrate', direction: 'below', value: 600e18 }],
    ['hashrate above 1.2z', { kind: 'threshold', metric: 'hashrate', direction: 'above', value: 1.2e21 }],
    ['fee-share above 5%', { kind: 'threshold', metric: 'fees', direction: 'above', value: 5 }],
    ['nakamoto below 3', { kind: 'threshold', metric: 'nakamoto', direction: 'below', value: 3 }],
    ['hashrate change -10% 7d', { kind: 'change', metric: 'hashrate', direction: 'down', percent: 10, windowDays: 7 }],
    ['price down 20% 30d', { kind: 'change', metric: 'price', direction: 'down', percent: 20, windowDays: 30 }],
    ['price up 15 30days', { kind: 'change', metric: 'price', direction: 'up', percent: 15, windowDays: 30 }],
    ['retarget', { kind: 'retarget' }],
    ['ribbons', { kind: 'ribbons' }],
    ['hashprice low 90d', { kind: 'hashprice_low', days: 90 }],
    ['pool above 30%', { kind: 'pool_share', percent: 30 }],
    ['pool 40', { kind: 'pool_share', percent: 40 }],
    // A unit typed as its own word (Telegram and the terminal split on spaces).
    ['hashrate above 600 EH/s', { kind: 'threshold', metric: 'hashrate', direction: 'above', value: 600e18 }],
    ['hashrate below 600 PH/s', { kind: 'threshold', metric: 'hashrate', direction: 'below', value: 600e15 }],
    ['hashrate below 6e20', { kind: 'threshold', metric: 'hashrate', direction: 'below', value: 6e20 }],
    ['fees above 5 %', { kind: 'threshold', metric: 'fees', direction: 'above', value: 5 }],
    ['price below 60k USD', { kind: 'threshold', metric: 'price', direction: 'below', value: 60_000 }],
    ['pool above 30 %', { kind: 'pool_share', percent: 30 }],
    // difficulty is the level, typed in T as miners say it; the next-retarget estimate has its own id.
    ['difficulty above 120T', { kind: 'threshold', metric: 'difficulty', direction: 'above', value: 120e12 }],
    ['difficulty above 120', { kind: 'threshold', metric: 'difficulty', direction: 'above', value: 120e12 }],
    ['difficulty below 120 T', { kind: 'threshold', metric: 'difficulty', direction: 'below', value: 120e12 }],
    ['difficulty below 1.2e14', { kind: 'threshold', metric: 'difficulty', direction: 'below', value: 1.2e14 }],
    ['difficulty above 113.76t', { kind: 'threshold', metric: 'difficulty', direction: 'above', value: 113.76e12 }],
    ['difficulty up 10% 30d', { kind: 'change', metric: 'difficulty', direction: 'up', percent: 10, windowDays: 30 }],
    ['difficulty_change above 5%', { kind: 'threshold', metric: 'difficulty_change', direction: 'above', value: 5 }],
    ['difficulty-change below -3 %', { kind: 'threshold', metric: 'difficulty_change', direction: 'below', value: -3 }],
    ['hashprice below 0.01', { kind: 'threshold', metric: 'hashprice', direction: 'below', value: 0.01 }],
  ])('reads "%s"', (text, spec) => {
    expect(parseRule(words(text))).toEqual({ ok: true, spec });
  });

  it.each([
    ['', /Say what to watch/],
    ['weather above 3', /Unknown metric or event "weather"/],
    ['hashprice between 40', /say above, below, change, up or down/],
    ['hashprice below lots', /Give the threshold as a number in USD\/PH\/day \(got "lots"\)/],
    ['hashprice below -5', /must be from 0 to 1000000/],
    ['hashrate change -10%', /window in days from 1d to 365d/],
    ['hashrate change -10% 400d', /window in days from 1d to 365d \(got "400d"\)/],
    ['price up -5% 7d', /contradictory/],
    ['price down 150% 7d', /at most 99 %/],
    ['retarget now', /takes nothing more/],
    ['pool above 120%', /less than 100/],
    ['hashprice low 3d', /from 7d to 730d/],
    ['hashprice low 90d 30d', /takes one look-back, e.g. 90d \(got "90d 30d"\)/],
    ['pool above 30% 7d', /takes only the share; it always looks at the last week's blocks \(got "7d" too\)/],
    ['pool 30% extra', /takes only the share.*\(got "extra" too\)/],
    // Was "difficulty"; the estimate now has its own id and the level takes changes over days.
    ['difficulty_change change 10% 7d', /already a change .* takes above or below/],
    ['difficultychange down 5% 30d', /already a change/],
    // 0.1 accepted this as "+160 % at the next retarget", which can never happen.
    ['difficulty above 160%', /difficulty is the level, in T .* use difficulty_change/],
    ['difficulty above 5 %', /difficulty is the level, in T .*\(got "5%"\)/],
    ['difficulty above 0.5', /threshold must be from 1 to 1000000 T \(got "0.5"\)/],
    ['difficulty below lots', /number in T \(got "lots"\)/],
    // Shown as "$0.0000" by 0.1: a line nobody could see crossed.
    ['hashprice below 0.0000001', /must be at least 0.01 USD\/PH\/day: the bot shows this figure no finer.*\(got "0.0000001"\)/],
    ['hashprice_btc above 0.0000001', /must be at least 0.000001 BTC\/PH\/day/],
    ['fees above 0.001', /must be at least 0.01 %/],
    ['difficulty_change above -0.001', /must be at least 0.01 %/],
    ['hashrate above 0.0001', /must be at least 0.001 EH\/s/],
    ['price below 0.5', /must be at least 1 USD/],
    ['price down 0.01% 7d', /change must be at least 0.1 % \(got "0.01%"\)/],
    ['pool above 0.001%', /from 0.1 to less than 100 \(got "0.001%"\)/],
    ['nakamoto below 2.5', /whole number of pools \(got "2.5"\)/],
    ['price below 0', /never below 0 USD, so this alert could never fire/],
    ['fees above 100', /never above 100 %, so this alert could never fire/],
    ['hashrate above 600 USD', /takes no window \(got "USD"\)/],
    ['price above 100k 7d', /takes no window \(got "7d"\)/],
  ])('explains what is wrong with "%s"', (text, message) => {
    const r = parseRule(words(text));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('describes every rule it accepts in plain words, and the stored JSON validates', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          'hashprice',
          'price',
          'hashrate',
          'difficulty',
          'difficulty_change',
          'fees',
          'toppool',
          'nakamoto',
          'hashprice_btc',
        ),
        fc.constantFrom('above', 'below', 'change', 'up', 'down'),
        fc.double({ min: -500, max: 500, noNaN: true }),
        fc.integer({ min: 0, max: 400 }),
        (subject, condition, n, days) => {
          const r = parseRule({
            subject,
            condition,
            value: `${n}`,
            window: ['change', 'up', 'down'].includes(condition) ? `${days}d` : undefined,
          });
          if (!r.ok) {
            expect(r.message.length).toBeGreaterThan(10);
            return;
          }
          expect(isRuleSpec(JSON.parse(JSON.stringify(r.spec)))).toBe(true);
          expect(describeRule(r.spec)).not.toMatch(/undefined|NaN/);
        },
      ),
    );
  });
});
