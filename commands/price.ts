/** /price: what a bitcoin costs in USD or another currency, with changes and the drop from the all-time high. */
import { defineCommand } from '../src/core/command.ts';
import { CURRENCIES, date, money, pctChange, usd } from '../src/core/format.ts';
import { attribution } from '../src/core/freshness.ts';
import { changePercent, drawdown } from '../src/core/metrics/index.ts';
import { loadDailyPrices } from '../src/market-data/history.ts';
import { optional } from '../src/market-data/optional.ts';

import { DEFAULT_PREFS } from '../src/core/prefs.ts';

export default defineCommand({
  name: 'price',
  description: 'BTC price in USD or another currency, with changes and the drop from the all-time high',
  options: {
    currency: {
      kind: 'choice',
      choices: CURRENCIES,
      autocomplete: true,
      example: 'eur',
      description: 'Currency (USD, EUR, GBP, CAD, CHF, AUD, JPY; default your /settings currency)',
    },
  },
  shared: true,
  examples: ['/price', '/price eur'],
  async run(ctx, args) {
    const currency = args.currency ?? (ctx.prefs ?? DEFAULT_PREFS).currency;
    const warnings: string[] = [];
    const [prices, history] = await Promise.all([ctx.market.prices(), optional(loadDailyPrices(ctx.market), warnings, 'Price history')]);
    const rate = prices.value.rates[currency];
    if (rate === undefined) {
      return {
        title: 'Price',
        lines: [`${prices.source} did not send a ${currency} price right now. Try USD.`],
        sections: [],
        ...attribution([{ what: 'price', sourced: prices }], ctx.now()),
        tone: 'error',
        ephemeral: true,
      };
    }
    const usdNow = prices.value.rates.USD!;
    const fields = [{ label: `BTC/${currency}`, value: money(rate, currency), inline: true }];
    const lines: string[] = [];
    const data: Record<string, unknown> = { currency, price: rate, priceUsd: usdNow };
    if (history?.points.length) {
      // One mean per UTC day: mempool's rows are hourly, and an hour's spike is not the day's price.
      const points = history.points;
      const anchor = prices.value.timeSec;
      const changes = [1, 7, 30].map((days) => [days, changePercent(points, usdNow, anchor, days)] as const);
      fields.push({
        label: 'Change (USD)',
        value: changes.map(([d, c]) => `${d}d ${c === undefined ? 'n/a' : pctChange(c, 1)}`).join(' · '),
        inline: false,
      });
      const dd = drawdown([...points.filter((p) => p.t < anchor), { t: anchor, v: usdNow }]);
      if (dd) {
        fields.push({ label: 'All-time high (daily mean)', value: `${usd(dd.ath.v)} on ${date(dd.ath.t * 1000)}`, inline: true });
        fields.push({ label: 'Below ATH', value: `${dd.percentBelowAth.toFixed(1)} %`, inline: true });
        data.athUsd = dd.ath.v;
        data.percentBelowAth = dd.percentBelowAth;
      }
      data.changes = Object.fromEntries(changes.map(([d, c]) => [`${d}d`, c ?? null]));
      if (currency !== 'USD') lines.push('Changes and the all-time high are in USD.');
    }
    const provenance = [{ what: 'price', sourced: prices }, ...(history?.provenance ?? [])];
    const change30 = (data.changes as Record<string, number | null> | undefined)?.['30d'];
    return {
      title: `Bitcoin price (${currency})`,
      lines: [...lines, ...warnings.map((w) => `⚠ ${w}`)],
      sections: [{ fields }],
      ...attribution(provenance, ctx.now()),
      tone: change30 == null ? 'neutral' : change30 < 0 ? 'down' : 'up',
      buttons: CURRENCIES.filter((c) => c !== currency)
        .slice(0, 4)
        .map((c) => ({ label: c, command: 'price', args: { currency: c } })),
      data,
    };
  },
});
