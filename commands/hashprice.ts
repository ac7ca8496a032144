/** /hashprice: what 1 PH/s (and 1 TH/s) earns per day in USD and BTC, with recent changes and what-if inputs. */
import { defineCommand } from '../src/core/command.ts';
import { btc, date, difficulty as fmtDifficulty, int, money, pctChange, usd } from '../src/core/format.ts';
import { attribution } from '../src/core/freshness.ts';
import { FORWARD_ASSUMPTIONS, forwardHashprice, forwardHashpriceLine } from '../src/core/metrics/forward.ts';
import {
  beforeDayOf,
  changePercent,
  hashpriceBtcPerPhDay,
  lowHigh,
  lowestSince,
  retargetSummary,
  subsidyBtc,
  tooEarlyToEstimate,
  type Point,
} from '../src/core/metrics/index.ts';
import { errorReply, type Field } from '../src/core/reply.ts';
import { impossibleWhatIf, MARKET_WHAT_IFS, readWhatIfs } from '../src/core/what-if.ts';
import { loadHashpriceHistory } from '../src/market-data/history.ts';
import { loadMiningInputs, type WhatIf } from '../src/market-data/hashprice-inputs.ts';
import { optional } from '../src/market-data/optional.ts';
import { loadFx } from '../src/market-data/fx.ts';
import { DEFAULT_PREFS } from '../src/core/prefs.ts';

const DAY = 86_400;
const ALL_WHAT_IFS = ['price', 'difficulty', 'fees', 'height'] as const;

export default defineCommand({
  name: 'hashprice',
  description: 'What 1 PH/s (and 1 TH/s) earns per day in USD and BTC, with recent changes',
  options: {
    ...MARKET_WHAT_IFS,
    height: { kind: 'integer', min: 0, max: 13_440_000, example: 'height=1050000', description: 'What-if block height (sets the subsidy)' },
  },
  shared: true,
  examples: ['/hashprice', '/hashprice price=60000', '/hashprice price=80k difficulty=130T fees=0.02 height=900000'],
  async run(ctx, args) {
    const { given, readAs } = readWhatIfs<WhatIf>(args);
    const inputs = await loadMiningInputs(ctx.market, given);
    const whatIf = inputs.whatIf.length > 0;
    if (whatIf) {
      const impossible = impossibleWhatIf(inputs);
      if (impossible) return errorReply('/hashprice: impossible what-if', `No network can give this figure: ${impossible}`);
    }
    const btcPerPhDay = hashpriceBtcPerPhDay(inputs);
    const usdPerPhDay = inputs.priceUsd === undefined ? undefined : btcPerPhDay * inputs.priceUsd;
    // Without the fees the figures count the subsidy only: shown, but never as if complete.
    const degraded = inputs.missing.fees !== undefined;
    const mark = degraded ? ' (subsidy only)' : '';
    const usdUnavailable = 'unavailable (no USD price)';
    // A price= what-if is in USD, so that answer stays in USD rather than mixing in a live exchange rate.
    const wanted = (ctx.prefs ?? DEFAULT_PREFS).currency;
    const fx = await loadFx(ctx.market, args.price === undefined ? wanted : 'USD', ctx.now());
    const perPhDay = usdPerPhDay === undefined ? undefined : fx.btcPrice === undefined ? usdPerPhDay : btcPerPhDay * fx.btcPrice;
    const cur = fx.currency;
    const warnings = [...inputs.warnings, ...(inputs.missing.price ? [`${inputs.missing.price}; the BTC figures do not need it.`] : [])];
    const lines: string[] = [];
    const fields: Field[] = [
      { label: `${cur} per PH/day`, value: perPhDay === undefined ? usdUnavailable : `${money(perPhDay, cur)}${mark}`, inline: true },
      { label: 'BTC per PH/day', value: `${btc(btcPerPhDay)}${mark}`, inline: true },
      {
        label: `${cur} per TH/day`,
        value: perPhDay === undefined ? usdUnavailable : `${money(perPhDay / 1000, cur)}${mark}`,
        inline: true,
      },
      { label: 'sats per TH/day', value: `${int(btcPerPhDay * 1e5)} sats${mark}`, inline: true },
    ];
    const data: Record<string, unknown> = {
      usdPerPhDay: usdPerPhDay ?? null,
      btcPerPhDay,
      usdPerThDay: usdPerPhDay === undefined ? null : usdPerPhDay / 1000,
      btcPerThDay: btcPerPhDay / 1000,
      degraded,
      missingInputs: inputs.missing,
      inputs: { ...inputs, provenance: undefined },
      whatIf: inputs.whatIf,
      currency: cur,
      perPhDay: perPhDay ?? null,
      perThDay: perPhDay === undefined ? null : perPhDay / 1000,
    };
    if (args.price !== undefined && wanted !== 'USD')
      lines.push(`price= is in USD, so this what-if answers in USD (your currency is ${wanted}).`);

    if (whatIf) {
      const given = inputs.whatIf.join(', ');
      lines.push(
        ALL_WHAT_IFS.every((k) => inputs.whatIf.includes(k))
          ? 'What-if with every input set by you: nothing is live.'
          : `What-if with ${given} set by you; other inputs are live.`,
      );
      lines.push(...readAs);
      if (args.height !== undefined)
        lines.push(`Block ${int(args.height)} is a what-if height (subsidy ${inputs.subsidyBtc} BTC), not a mined block.`);
    } else if (degraded || usdPerPhDay === undefined) {
      // A comparison against a figure that reads low (or is missing) would invent a record low.
      lines.push(
        degraded
          ? 'Changes and lows are not shown: without the fees today’s figure reads low.'
          : 'Changes and lows are in USD, which is unavailable.',
      );
    } else {
      const history = await optional(loadHashpriceHistory(ctx.market), warnings, 'Hashprice history');
      if (history?.usd.length) {
        const anchor = inputs.tipTimeSec ?? Math.floor(ctx.now() / 1000);
        const current: Point = { t: anchor, v: usdPerPhDay };
        const changes: Record<string, number | undefined> = {};
        for (const [label, days] of [
          ['1d', 1],
          ['7d', 7],
          ['30d', 30],
        ] as const) {
          changes[label] = changePercent(history.usd, usdPerPhDay, anchor, days);
        }
        fields.push({
          label: 'Change (USD)',
          value: (['1d', '7d', '30d'] as const)
            .map((k) => `${k} ${changes[k] === undefined ? 'n/a' : pctChange(changes[k]!, 1)}`)
            .join(' · '),
        });
        const earlier = beforeDayOf(history.usd, anchor);
        const series = [...earlier, current];
        const range = lowHigh(series, anchor - 30 * DAY);
        if (range)
          fields.push({
            label: cur === 'USD' ? '30-day low / high' : '30-day low / high (USD)',
            value: `${usd(range.low.v)} (${date(range.low.t * 1000)}) / ${usd(range.high.v)} (${date(range.high.t * 1000)})`,
          });
        if (range && range.low.t === anchor && earlier.length) {
          const since = lowestSince(earlier, usdPerPhDay);
          lines.push(
            since === undefined
              ? `Lowest hashprice on record in the data we have (since ${date(earlier[0]!.t * 1000)}).`
              : `Lowest hashprice since ${date(since * 1000)}.`,
          );
          data.lowestSince = since ?? null;
        }
        data.changes = changes;
        data.low30d = range?.low.v;
        data.high30d = range?.high.v;
      }
      if (history) inputs.provenance.push(...history.provenance);
    }
    // The live retarget estimate describes the live epoch: it means nothing against a what-if
    // difficulty or height, so it is only shown when both are live (a what-if price or fees carries
    // through, so the forward figure answers the same question as the one above it). A figure that
    // reads low (no fees) or has no USD would only make a second wrong number.
    const forwardApplies =
      !inputs.whatIf.includes('difficulty') && !inputs.whatIf.includes('height') && !degraded && usdPerPhDay !== undefined;
    if (forwardApplies) {
      const adj = await optional(ctx.market.difficultyAdjustment(), warnings, 'Next difficulty adjustment');
      if (adj) {
        const r = retargetSummary(adj.value, ctx.now());
        if (r.estimatedChangePercent === undefined) {
          lines.push(`After the next adjustment: ${tooEarlyToEstimate(r.blocksIntoEpoch)}.`);
        } else {
          const f = forwardHashprice({
            difficulty: inputs.difficulty,
            subsidyBtc: subsidyBtc(adj.value.nextRetargetHeight),
            avgFeesBtc: inputs.avgFeesBtc,
            priceUsd: inputs.priceUsd!,
            estimatedChangePercent: r.estimatedChangePercent,
          });
          lines.push(forwardHashpriceLine(r.etaInMs, r.estimatedChangePercent, f.hashprice.usdPerPhDay, fx.fromUsd), FORWARD_ASSUMPTIONS);
          data.forward = {
            usdPerPhDay: f.hashprice.usdPerPhDay,
            difficultyAfter: f.difficultyAfter,
            estimatedChangePercent: r.estimatedChangePercent,
            etaMs: r.etaMs,
            retargetHeight: adj.value.nextRetargetHeight,
          };
        }
        inputs.provenance.push({ what: 'difficulty estimate', sourced: adj });
      }
    }
    const feesShown = inputs.missing.fees ? 'fees unavailable (subsidy only)' : `fees ${inputs.avgFeesBtc.toFixed(4)} BTC/block`;
    const priceShown =
      inputs.priceUsd === undefined
        ? 'price unavailable'
        : `price ${fx.btcPrice === undefined ? usd(inputs.priceUsd) : money(fx.btcPrice, cur)}`;
    lines.push(`Inputs: difficulty ${fmtDifficulty(inputs.difficulty)}, subsidy ${inputs.subsidyBtc} BTC, ${feesShown}, ${priceShown}.`);
    const { footer, provenance } =
      inputs.provenance.length === 0
        ? { footer: ['What-if: every input given by you; no network data used'], provenance: [] }
        : attribution(
            inputs.provenance,
            ctx.now(),
            inputs.tipTimeSec ? { height: inputs.height, timestampSec: inputs.tipTimeSec } : undefined,
          );
    const d30 = (data.changes as Record<string, number | undefined> | undefined)?.['30d'];
    lines.push(...fx.lines);
    return {
      title: whatIf ? 'Hashprice (what-if)' : 'Hashprice',
      lines: [...lines, ...warnings.map((w) => `⚠ ${w}`)],
      sections: [{ fields }],
      footer,
      provenance,
      tone: d30 === undefined ? 'neutral' : d30 < 0 ? 'down' : 'up',
      data,
    };
  },
});
