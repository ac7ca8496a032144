/**
 * The pure evaluation: rules and a headline in, decisions out. No store, no SQLite: past values
 * come from a plain object, and every rule handed in is frozen, so evaluation cannot change it.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, initialState, waitsWithoutCrossing, type Decision, type PastValues, type RuleInput } from '../../src/alerts/evaluate.ts';
import type { RuleSpec } from '../../src/alerts/rules.ts';
import type { Headline } from '../../src/core/headline.ts';
import type { AlertState } from '../../src/store/index.ts';
import { headline } from './headline.ts';

const T0 = Date.UTC(2025, 3, 1, 12);
const DAY_SEC = 86_400;
const FRESH: AlertState = { armed: null, episode: 0, lastFiredMs: null, memo: null };
const noPast: PastValues = {
  atOrBefore: () => undefined,
};

/** One rule stepped headline by headline, its state carried over as the engine would. */
function walk(spec: RuleSpec, cooldownSec = 0, past: PastValues = noPast) {
  let state = FRESH;
  const rule = () => Object.freeze({ id: 7, spec: Object.freeze(spec), cooldownSec, state: Object.freeze({ ...state }) });
  return {
    step(h: Headline): Decision | undefined {
      const [d, ...more] = evaluate([rule()], h, past).decisions;
      expect(more).toEqual([]);
      if (d) state = d.state;
      return d;
    },
    fired(h: Headline) {
      return this.step(h)?.fired;
    },
    get state() {
      return state;
    },
  };
}

describe('threshold rules', () => {
  it('arm on the first look, fire once per crossing, and re-arm only past the 2 % margin', () => {
    // Below $40: the margin is 2 % of 40 = $0.80, so the rule re-arms at $40.80 or more.
    const r = walk({ kind: 'threshold', metric: 'hashprice', direction: 'below', value: 40 });
    let t = T0;
    const at = (v: number) => headline({ atMs: (t += 60_000), hashpriceUsdPerPhDay: v });
    expect(r.step(at(45))).toMatchObject({ state: { armed: true, episode: 0 } });
    expect(r.step(at(41))).toBeUndefined();
    const first = r.step(at(39.9));
    expect(first?.state).toEqual({ armed: false, episode: 1, lastFiredMs: T0 + 3 * 60_000, memo: null });
    expect(first?.fired).toEqual({
      ruleId: 7,
      spec: { kind: 'threshold', metric: 'hashprice', direction: 'below', value: 40 },
      episode: 1,
      crossing: { kind: 'threshold', metric: 'hashprice', direction: 'below', threshold: 40, value: 39.9 },
    });
    expect(r.step(at(39))).toBeUndefined(); // still below
    expect(r.step(at(40.5))).toBeUndefined(); // back above, inside the margin
    expect(r.step(at(39.5))).toBeUndefined(); // so not a new crossing
    expect(r.step(at(40.8))).toMatchObject({ state: { armed: true, episode: 1 } }); // 40.80 ≥ 40.80: re-armed
    expect(r.fired(at(39.99))).toMatchObject({ episode: 2, crossing: { value: 39.99 } });
  });

  it('start disarmed when the condition already holds on the first look', () => {
    const r = walk({ kind: 'threshold', metric: 'price', direction: 'above', value: 80_000 });
    expect(r.step(headline({ priceUsd: 83_000 }))).toEqual({ rule: expect.anything(), state: { ...FRESH, armed: false } });
    expect(r.step(headline({ priceUsd: 84_000 }))).toBeUndefined();
  });

  it('hold a crossing inside the cooldown, armed and waiting, and fire it when the cooldown ends', () => {
    // Fee share above 5 %: margin max(2 % × 5, 0.25) = 0.25 points, so it re-arms at 4.75 % or less.
    const spec = { kind: 'threshold', metric: 'fees', direction: 'above', value: 5 } as const;
    const r = walk(spec, 3600);
    const at = (ms: number, fees: number) => headline({ atMs: T0 + ms, feeSharePercent: fees });
    r.step(at(0, 1));
    expect(r.fired(at(1000, 6))).toMatchObject({ episode: 1 });
    expect(r.step(at(2000, 4))).toMatchObject({ state: { armed: true } });
    expect(r.step(at(3000, 6))).toBeUndefined(); // 2 s after firing: inside the hour
    expect(waitsWithoutCrossing({ spec, state: r.state }, at(3000, 6))).toBe(true);
    expect(r.step(at(30 * 60_000, 6.5))).toBeUndefined();
    // 61 min − 1 s since it fired: past the hour.
    expect(r.fired(at(61 * 60_000, 6.5))).toMatchObject({ episode: 2, crossing: { value: 6.5 } });
    expect(r.step(at(200 * 60_000, 6.5))).toBeUndefined();
    expect(waitsWithoutCrossing({ spec, state: r.state }, at(200 * 60_000, 6.5))).toBe(false); // disarmed: waits for a crossing
    expect(waitsWithoutCrossing({ spec, state: r.state }, headline({ degraded: { feeSharePercent: 'fees missing' } }))).toBeUndefined();
  });
});

describe('change rules', () => {
  const priceDown20: Extract<RuleSpec, { kind: 'change' }> = {
    kind: 'change',
    metric: 'price',
    direction: 'down',
    percent: 20,
    windowDays: 30,
  };

  it('compare with the recorded value at the start of the window, asked once per metric and window', () => {
    const asked: [string, number][] = [];
    const past: PastValues = {
      atOrBefore: (metric, tsSec) => {
        asked.push([metric, tsSec]);
        return { tsSec: tsSec - 3600, value: 100_000 };
      },
    };
    const rules = [1, 2, 3].map((id) => ({ id, spec: priceDown20, cooldownSec: 0, state: { ...FRESH, armed: true } }));
    rules.push({ id: 4, spec: { ...priceDown20, percent: 10, windowDays: 14 }, cooldownSec: 0, state: { ...FRESH, armed: true } });
    const { decisions } = evaluate(rules, headline({ atMs: T0, priceUsd: 79_000 }), past);
    expect(asked).toEqual([
      ['price', T0 / 1000 - 30 * DAY_SEC],
      ['price', T0 / 1000 - 14 * DAY_SEC],
    ]);
    // 79,000 / 100,000 − 1 = −21 %: past −20 % and past −10 %, so all four fire.
    expect(decisions.map((d) => d.fired?.ruleId)).toEqual([1, 2, 3, 4]);
    expect(decisions[0]!.fired!.crossing).toEqual({
      kind: 'change',
      metric: 'price',
      windowDays: 30,
      changePercent: expect.closeTo(-21, 9),
      value: 79_000,
    });
  });

  it('re-arm once the change is back inside the line by the margin (2 % of it, at least half a point)', () => {
    const r = walk(priceDown20, 0, { atOrBefore: (_, tsSec) => ({ tsSec, value: 100_000 }) });
    expect(r.step(headline({ priceUsd: 90_000 }))).toMatchObject({ state: { armed: true } }); // −10 %
    expect(r.fired(headline({ priceUsd: 79_900 }))).toMatchObject({ crossing: { changePercent: expect.closeTo(-20.1, 9) } });
    // Margin max(2 % × 20, 0.5) = 0.5 points: re-armed above −19.5 %.
    expect(r.step(headline({ priceUsd: 80_400 }))).toBeUndefined(); // −19.6 %
    expect(r.step(headline({ priceUsd: 80_600 }))).toMatchObject({ state: { armed: true } }); // −19.4 %
  });

  it('wait when the recorded value is more than 36 hours older than the window start', () => {
    const at = T0 / 1000 - 30 * DAY_SEC;
    const r = walk(priceDown20, 0, { atOrBefore: () => ({ tsSec: at - 36 * 3600 - 1, value: 100_000 }) });
    expect(r.step(headline({ priceUsd: 50_000 }))).toBeUndefined();
    const ok = walk(priceDown20, 0, { atOrBefore: () => ({ tsSec: at - 36 * 3600, value: 100_000 }) });
    expect(ok.step(headline({ priceUsd: 50_000 }))).toMatchObject({ state: { armed: false } });
  });

  it('fall back to the headline’s hashprice history, and use its own hashrate changes without a look-up', () => {
    // $40 a week ago (an hour before the window start), $45 now: +12.5 %.
    const weekAgo = T0 / 1000 - 7 * DAY_SEC;
    const hp = walk({ kind: 'change', metric: 'hashprice', direction: 'up', percent: 10, windowDays: 7 });
    const history = [{ t: weekAgo - 3600, v: 40 }];
    hp.step(headline({ hashpriceUsdPerPhDay: 40, hashpriceHistory: history }));
    expect(hp.fired(headline({ hashpriceUsdPerPhDay: 45, hashpriceHistory: history }))?.crossing).toEqual({
      kind: 'change',
      metric: 'hashprice',
      windowDays: 7,
      changePercent: 12.5,
      value: 45,
    });
    const never: PastValues = {
      atOrBefore: () => {
        throw new Error('looked up');
      },
    };
    const hr = walk({ kind: 'change', metric: 'hashrate', direction: 'down', percent: 10, windowDays: 7 }, 0, never);
    hr.step(headline({ hashrate7dChange7dPercent: -4 }));
    expect(hr.fired(headline({ hashrate7dChange7dPercent: -10.2 }))?.crossing).toMatchObject({ changePercent: -10.2, value: 820e18 });
  });
});

describe('event rules', () => {
  it('retarget: fire once per new epoch with this epoch’s difficulty over the last one’s', () => {
    // Height 890,000 is in the epoch starting at 890,000 − 890,000 % 2016 = 889,056; the next starts at 891,072.
    const r = walk({ kind: 'retarget' });
    expect(r.step(headline())?.state).toEqual({
      armed: true,
      episode: 0,
      lastFiredMs: null,
      memo: JSON.stringify({ epoch: 889_056, difficulty: 113.76e12 }),
    });
    expect(r.step(headline({ height: 891_071 }))).toBeUndefined();
    const d = 113.76e12 * (1 - 0.0321);
    const fired = r.fired(headline({ height: 891_072, difficulty: d }));
    expect(fired).toMatchObject({
      episode: 1,
      crossing: { kind: 'retarget', epochHeight: 891_072, changePercent: expect.closeTo(-3.21, 9), difficulty: d },
    });
    expect(r.step(headline({ height: 891_073, difficulty: d }))).toBeUndefined();
  });

  it('ribbons: fire on a turn to capitulation or recovery, ignoring the cooldown', () => {
    const r = walk({ kind: 'ribbons' }, 3600);
    let t = T0;
    const at = (ribbons: Headline['ribbons']) => headline({ atMs: (t += 60_000), ribbons });
    expect(r.fired(at('capitulation'))).toBeUndefined(); // first look: remembered
    expect(r.fired(at('recovery'))?.crossing).toEqual({ kind: 'ribbons', to: 'recovery' });
    expect(r.fired(at('normal'))).toBeUndefined();
    expect(r.fired(at('capitulation'))?.crossing).toEqual({ kind: 'ribbons', to: 'capitulation' }); // a minute later: no cooldown
    expect(r.state.episode).toBe(2);
  });

  it('pool share: fire for the pools that newly crossed the line, not for one already over it', () => {
    const r = walk({ kind: 'pool_share', percent: 25 });
    const pools = (antpool: number) => [
      { name: 'Foundry USA', sharePercent: 30 },
      { name: 'AntPool', sharePercent: antpool },
    ];
    expect(r.fired(headline({ pools1w: pools(20) }))).toBeUndefined();
    expect(r.state.memo).toBe('["Foundry USA"]');
    expect(r.fired(headline({ pools1w: pools(26) }))?.crossing).toEqual({
      kind: 'pool_share',
      linePercent: 25,
      pools: [{ name: 'AntPool', sharePercent: 26 }],
    });
    // Margin max(2 % × 25, 0.5) = 0.5 points: AntPool stays counted until it is at 24.5 % or less.
    expect(r.fired(headline({ pools1w: pools(24.8) }))).toBeUndefined();
    expect(r.fired(headline({ pools1w: pools(25.5) }))).toBeUndefined();
    expect(r.fired(headline({ pools1w: pools(24) }))).toBeUndefined();
    expect(r.fired(headline({ pools1w: pools(25.1) }))).toMatchObject({ episode: 2 });
  });

  it('halving: fire when the blocks left fall to N, once per halving', () => {
    const r = walk({ kind: 'halving', blocks: 1000 });
    expect(r.fired(headline({ height: 1_048_000 }))).toBeUndefined(); // 2,000 left
    // 1,050,000 − 1,049,000 = 1,000 left; subsidy 50 / 2⁴ = 3.125 now, 50 / 2⁵ = 1.5625 after.
    expect(r.fired(headline({ height: 1_049_000 }))?.crossing).toEqual({
      kind: 'halving',
      halvingHeight: 1_050_000,
      blocksLeft: 1000,
      subsidyNowBtc: 3.125,
      subsidyThenBtc: 1.5625,
    });
    expect(r.fired(headline({ height: 1_049_500 }))).toBeUndefined();
    expect(r.fired(headline({ height: 1_050_001 }))).toBeUndefined(); // the next one is 209,999 blocks away
  });

  it('under water: fire when the number of models losing money changes, naming them', () => {
    const r = walk({ kind: 'under_water', powerUsdPerKwh: 0.06 });
    // $45/PH/day at $0.06/kWh: a model loses money above 0.045 / (0.024 × 0.06) = 31.25 J/TH → the S19 (34.2) only.
    expect(r.fired(headline({ hashpriceUsdPerPhDay: 45 }))).toBeUndefined();
    // $40: above 0.04 / 0.00144 = 27.78 J/TH → also S19j Pro, S19 Pro (29.5) and M30S++ (31).
    expect(r.fired(headline({ hashpriceUsdPerPhDay: 40 }))?.crossing).toEqual({
      kind: 'under_water',
      powerUsdPerKwh: 0.06,
      under: 4,
      was: 1,
      total: 17,
      hashprice: 40,
      sank: ['Antminer S19j Pro', 'Antminer S19 Pro', 'Whatsminer M30S++'],
      rose: [],
    });
  });
});

describe('figures computed with an input missing', () => {
  it('are skipped (no decision on them, said as data); rules on other figures still step', () => {
    const rules: RuleInput[] = [
      {
        id: 1,
        spec: { kind: 'threshold', metric: 'hashprice', direction: 'below', value: 40 },
        cooldownSec: 0,
        state: { ...FRESH, armed: true },
      },
      { id: 2, spec: { kind: 'under_water', powerUsdPerKwh: 0.06 }, cooldownSec: 0, state: { ...FRESH, armed: true, memo: '[]' } },
      {
        id: 3,
        spec: { kind: 'threshold', metric: 'price', direction: 'below', value: 80_000 },
        cooldownSec: 0,
        state: { ...FRESH, armed: true },
      },
    ];
    const degraded = { hashpriceUsdPerPhDay: 'fees missing' };
    // A subsidy-only hashprice of $20 would cross $40 and sink every model: neither may happen.
    const out = evaluate(rules, headline({ hashpriceUsdPerPhDay: 20, priceUsd: 70_000, degraded }), noPast);
    expect(out.skipped).toEqual(degraded);
    expect(out.decisions.map((d) => d.rule.id)).toEqual([3]);
    expect(evaluate(rules, headline(), noPast).skipped).toBeUndefined();
  });
});

describe('initialState', () => {
  it('starts disarmed when the condition holds, armed when not, unknown without numbers', () => {
    const spec = { kind: 'threshold', metric: 'price', direction: 'above', value: 80_000 } as const;
    expect(initialState(spec, headline({ priceUsd: 83_000 }), noPast)).toEqual({ state: { ...FRESH, armed: false }, alreadyTrue: true });
    expect(initialState(spec, headline({ priceUsd: 78_000 }), noPast)).toEqual({ state: { ...FRESH, armed: true }, alreadyTrue: false });
    expect(initialState(spec, undefined, noPast)).toEqual({ state: FRESH, alreadyTrue: false });
  });

  it('remembers what an event rule has seen, and says when a pool is already over the line', () => {
    expect(initialState({ kind: 'pool_share', percent: 25 }, headline(), noPast)).toEqual({
      state: { ...FRESH, armed: true, memo: '["Foundry USA"]' },
      alreadyTrue: true,
    });
    // 1,050,000 − 1,049,500 = 500 blocks: inside 1,000 already.
    expect(initialState({ kind: 'halving', blocks: 1000 }, headline({ height: 1_049_500 }), noPast).alreadyTrue).toBe(true);
  });
});
