import { defineCommand } from '../src/core/command.ts';
import { btc, date, pctChange, usd } from '../src/core/format.ts';
import { footerFor } from '../src/core/freshness.ts';
import { changePercent, hashprice, lowHigh, lowestSince, type Point } from '../src/core/metrics/index.ts';
import type { Field } from '../src/core/reply.ts';
import { loadHashpriceHistory } from '../src/data/history.ts';
import { loadHashpriceInputs } from '../src/data/hashprice-inputs.ts';
import { optional } from '../src/data/optional.ts';

const DAY = 86_400;

export default defineCommand({
  name: 'hashprice',
  description: 'What 1 PH/s (and 1 TH/s) earns per day in USD and BTC, with recent changes',
  options: {
    price: { kind: 'number', min: 1, max: 10_000_000, unit: 'USD per BTC', example: 'price=60000', description: 'What-if BTC price in USD' },
    difficulty: { kind: 'number', min: 1, max: 1e18, example: 'difficulty=120T', description: 'What-if network difficulty (e.g. 120T)' },
    fees: { kind: 'number', min: 0, max: 100, unit: 'BTC per block', example: 'fees=0.05', description: 'What-if average fees per block, in BTC' },
    height: { kind: 'integer', min: 0, max: 13_440_000, example: 'height=1050000', description: 'What-if block height (sets the subsidy)' },
  },
  shared: true,
  examples: ['/hashprice', '/hashprice price=60000', '/hashprice price=80k difficulty=130T fees=0.02 height=900000'],
  async run(ctx, args) {
    const inputs = await loadHashpriceInputs(ctx.market, args);
    const hp = hashprice(inputs);
    const whatIf = inputs.whatIf.length > 0;
    const warnings = [...inputs.warnings];
    const lines: string[] = [];
    const fields: Field[] = [
      { label: 'USD per PH/day', value: usd(hp.usdPerPhDay), inline: true },
      { label: 'BTC per PH/day', value: btc(hp.btcPerPhDay), inline: true },
      { label: 'USD per TH/day', value: usd(hp.usdPerThDay), inline: true },
      { label: 'sats per TH/day', value: `${Math.round(hp.btcPerThDay * 1e8).toLocaleString('en-US')} sats`, inline: true },
    ];
    const data: Record<string, unknown> = { ...hp, inputs: { ...inputs, provenance: undefined }, whatIf: inputs.whatIf };

    if (whatIf) {
      lines.push(`What-if with ${inputs.whatIf.join(', ')} set by you; other inputs are live.`);
    } else {
      const history = await optional(loadHashpriceHistory(ctx.market), warnings, 'Hashprice history');
      if (history && history.usd.length) {
        const anchor = inputs.tipTimeSec ?? Math.floor(ctx.now() / 1000);
        const current: Point = { t: anchor, v: hp.usdPerPhDay };
        const changes: Record<string, number | undefined> = {};
        for (const [label, days] of [['1d', 1], ['7d', 7], ['30d', 30]] as const) {
          changes[label] = changePercent(history.usd, hp.usdPerPhDay, anchor, days);
        }
        fields.push({
          label: 'Change (USD)',
          value: (['1d', '7d', '30d'] as const).map((k) => `${k} ${changes[k] === undefined ? 'n/a' : pctChange(changes[k]!, 1)}`).join(' · '),
        });
        const series = [...history.usd.filter((p) => p.t < anchor), current];
        const range = lowHigh(series, anchor - 30 * DAY);
        if (range) fields.push({ label: '30-day low / high', value: `${usd(range.low.v)} (${date(range.low.t * 1000)}) / ${usd(range.high.v)} (${date(range.high.t * 1000)})` });
        if (range && range.low.t === anchor) {
          const since = lowestSince(series.slice(0, -1), hp.usdPerPhDay);
          lines.push(
            since === undefined
              ? `Lowest hashprice on record in the data we have (since ${date(series[0]!.t * 1000)}).`
              : `Lowest hashprice since ${date(since * 1000)}.`,
          );
          data.lowestSince = since ?? null;
        }
        data.changes = changes;
        data.low30d = range?.low.v;
        data.high30d = range?.high.v;
      }
      history?.provenance.forEach((p) => inputs.provenance.push(p));
    }
    lines.push(
      `Inputs: difficulty ${(inputs.difficulty / 1e12).toFixed(2)} T, subsidy ${inputs.subsidyBtc} BTC, fees ${inputs.avgFeesBtc.toFixed(4)} BTC/block, price ${usd(inputs.priceUsd)}.`,
    );
    const footer = whatIf && inputs.provenance.length === 0
      ? ['What-if: every input given by you; no network data used']
      : footerFor(inputs.provenance, ctx.now(), inputs.tipTimeSec ? { height: inputs.height, timestampSec: inputs.tipTimeSec } : undefined);
    const d30 = (data.changes as Record<string, number | undefined> | undefined)?.['30d'];
    return {
      title: whatIf ? 'Hashprice (what-if)' : 'Hashprice',
      lines: [...lines, ...warnings.map((w) => `⚠ ${w}`)],
      sections: [{ fields }],
      footer,
      tone: d30 === undefined ? 'neutral' : d30 < 0 ? 'down' : 'up',
      data: { usdPerPhDay: hp.usdPerPhDay, btcPerPhDay: hp.btcPerPhDay, ...data },
    };
  },
});
