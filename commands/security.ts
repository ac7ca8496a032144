import { defineCommand } from '../src/core/command.ts';
import { btc, pct, usd } from '../src/core/format.ts';
import { footerFor } from '../src/core/freshness.ts';
import { securityBudget } from '../src/core/metrics/index.ts';
import { loadHashpriceInputs } from '../src/data/hashprice-inputs.ts';

export default defineCommand({
  name: 'security',
  description: 'Security budget: daily miner revenue, yearly spend and its share of the market cap',
  options: {},
  shared: true,
  examples: ['/security'],
  async run(ctx) {
    const inputs = await loadHashpriceInputs(ctx.market);
    const s = securityBudget({ ...inputs, height: inputs.height });
    return {
      title: 'Security budget',
      lines: [
        `Miners earn about ${usd(s.dailyRevenueUsd)} a day (${btc(s.dailyRevenueBtc, 2)}), ${usd(s.annualRevenueUsd)} a year: ${pct(s.percentOfMarketCapPerYear, 2)} of the market cap per year.`,
        `Fees are ${pct(s.feeShare * 100, 2)} of it; the rest is the block subsidy, which halves every 210,000 blocks.`,
        'Assumes 144 blocks a day at the average fees of the last 144 blocks.',
        ...inputs.warnings.map((w) => `⚠ ${w}`),
      ],
      sections: [
        {
          fields: [
            { label: 'Daily revenue', value: usd(s.dailyRevenueUsd), inline: true },
            { label: 'Yearly revenue', value: usd(s.annualRevenueUsd), inline: true },
            { label: 'Market cap', value: usd(s.marketCapUsd), inline: true },
            { label: 'Per year, % of market cap', value: pct(s.percentOfMarketCapPerYear, 2), inline: true },
            { label: 'Fee share', value: pct(s.feeShare * 100, 2), inline: true },
          ],
        },
      ],
      footer: footerFor(inputs.provenance, ctx.now(), inputs.tipTimeSec ? { height: inputs.height, timestampSec: inputs.tipTimeSec } : undefined),
      tone: 'neutral',
      data: { ...s },
    };
  },
});
