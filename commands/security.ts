/** /security: what the network spends on security: daily miner revenue, yearly spend and its share of the market cap. */
import { defineCommand } from '../src/core/command.ts';
import { btc, pct } from '../src/core/format.ts';
import { attribution } from '../src/core/freshness.ts';
import { securityBudget, securityBudgetBtc } from '../src/core/metrics/index.ts';
import { budgetAtHalvings, HALVING_BUDGET_ASSUMPTIONS, halvingBudgetLine } from '../src/core/metrics/security-outlook.ts';
import { loadMiningInputs } from '../src/market-data/hashprice-inputs.ts';
import { loadFx } from '../src/market-data/fx.ts';
import { DEFAULT_PREFS } from '../src/core/prefs.ts';

const REVENUE_RANGES = ['30d', '90d', '1y'] as const;

export default defineCommand({
  name: 'security',
  description: 'Security budget: daily miner revenue, yearly spend and its share of the market cap',
  options: {},
  shared: true,
  examples: ['/security', '/chart revenue 1y'],
  async run(ctx) {
    const inputs = await loadMiningInputs(ctx.market);
    const b = securityBudgetBtc(inputs);
    const s = inputs.priceUsd === undefined ? undefined : securityBudget({ ...inputs, priceUsd: inputs.priceUsd });
    const fx = await loadFx(ctx.market, (ctx.prefs ?? DEFAULT_PREFS).currency, ctx.now());
    const amount = fx.fromUsd;
    // Without the fees the budget counts the subsidy only: shown, but marked as reading low.
    const degraded = inputs.missing.fees !== undefined;
    const mark = degraded ? ' (subsidy only)' : '';
    const noUsd = 'unavailable (no USD price)';
    const feeShare = degraded ? 'unavailable (no fees)' : pct(b.feeShare * 100, 2);
    const lines = s
      ? [
          `Miners earn about ${amount(s.dailyRevenueUsd)} a day (${btc(s.dailyRevenueBtc, 2)}), ${amount(s.annualRevenueUsd)} a year: ${pct(s.percentOfMarketCapPerYear, 2)} of the market cap per year${mark}.`,
        ]
      : [`Miners earn about ${btc(b.dailyRevenueBtc, 2)} a day${mark}; the USD figures need a price, which is unavailable.`];
    if (!degraded)
      lines.push(`Fees are ${pct(b.feeShare * 100, 2)} of it; the rest is the block subsidy, which halves every 210,000 blocks.`);
    lines.push('Assumes 144 blocks a day at the average fees of the last 144 blocks.');
    // The coming halvings at today's price and fees: only on a full budget, since without the fees
    // the share fees must make up would be computed against a revenue that reads low.
    const halvings =
      s && !degraded ? budgetAtHalvings({ height: inputs.height, avgFeesBtc: inputs.avgFeesBtc, priceUsd: inputs.priceUsd! }) : [];
    if (halvings.length) lines.push(...halvings.map(halvingBudgetLine), HALVING_BUDGET_ASSUMPTIONS);
    if (inputs.missing.price) lines.push(`⚠ ${inputs.missing.price}.`);
    else lines.push(...fx.lines);
    return {
      title: 'Security budget',
      lines: [...lines, ...inputs.warnings.map((w) => `⚠ ${w}`)],
      sections: [
        {
          fields: [
            {
              label: 'Daily revenue',
              value: s ? `${amount(s.dailyRevenueUsd)}${mark}` : `${btc(b.dailyRevenueBtc, 2)}${mark}`,
              inline: true,
            },
            { label: 'Yearly revenue', value: s ? `${amount(s.annualRevenueUsd)}${mark}` : noUsd, inline: true },
            { label: 'Market cap', value: s ? amount(s.marketCapUsd) : noUsd, inline: true },
            { label: 'Per year, % of market cap', value: s ? `${pct(s.percentOfMarketCapPerYear, 2)}${mark}` : noUsd, inline: true },
            { label: 'Fee share', value: feeShare, inline: true },
          ],
        },
      ],
      ...attribution(
        inputs.provenance,
        ctx.now(),
        inputs.tipTimeSec ? { height: inputs.height, timestampSec: inputs.tipTimeSec } : undefined,
      ),
      tone: 'neutral',
      // The revenue history (subsidy and fees per day) is a chart of its own: offered, not drawn on every ask.
      buttons: REVENUE_RANGES.map((range) => ({ label: `Revenue ${range}`, command: 'chart', args: { metric: 'revenue', range } })),
      data: {
        ...b,
        ...s,
        currency: fx.currency,
        perUsd: fx.perUsd,
        feeShare: degraded ? null : b.feeShare,
        degraded,
        missingInputs: inputs.missing,
        halvings,
      },
    };
  },
});
