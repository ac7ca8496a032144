import { defineCommand } from '../src/core/command.ts';
import { btc, pct, usd } from '../src/core/format.ts';
import { footerFor } from '../src/core/freshness.ts';
import { avgFeesBtcFromRewardStats, feeShare, subsidyBtc } from '../src/core/metrics/index.ts';

export default defineCommand({
  name: 'fees',
  description: 'Fees: their share of miner revenue over the last 144 blocks and the recommended rates now',
  options: {},
  shared: true,
  examples: ['/fees'],
  async run(ctx) {
    const [stats, rec, prices] = await Promise.all([
      ctx.market.rewardStats(144),
      ctx.market.recommendedFees(),
      ctx.market.prices(),
    ]);
    const s = stats.value;
    const subsidy = subsidyBtc(s.endBlock);
    const avgFees = avgFeesBtcFromRewardStats(s);
    const share = feeShare(subsidy, avgFees) * 100;
    const r = rec.value;
    return {
      title: 'Fees',
      lines: [
        `Fees were ${pct(share, 2)} of miner revenue over blocks ${s.startBlock.toLocaleString('en-US')}–${s.endBlock.toLocaleString('en-US')}; the subsidy (${subsidy} BTC) paid the rest.`,
      ],
      sections: [
        {
          title: 'Last 144 blocks',
          fields: [
            { label: 'Fee share of revenue', value: pct(share, 2), inline: true },
            { label: 'Average fees per block', value: `${btc(avgFees, 4)} (${usd(avgFees * prices.value.rates.USD!)})`, inline: true },
            { label: 'Transactions', value: s.totalTx.toLocaleString('en-US'), inline: true },
          ],
        },
        {
          title: 'Recommended rates (sat/vB)',
          fields: [
            { label: 'Next block', value: String(r.fastestFee), inline: true },
            { label: '30 min', value: String(r.halfHourFee), inline: true },
            { label: '1 hour', value: String(r.hourFee), inline: true },
            { label: 'Economy', value: String(r.economyFee), inline: true },
            { label: 'Minimum', value: String(r.minimumFee), inline: true },
          ],
        },
      ],
      footer: footerFor([
        { what: 'reward stats', sourced: stats },
        { what: 'recommended fees', sourced: rec },
        { what: 'price', sourced: prices },
      ], ctx.now()),
      tone: 'neutral',
      data: { feeSharePercent: share, avgFeesBtc: avgFees, subsidyBtc: subsidy, recommended: r, startBlock: s.startBlock, endBlock: s.endBlock },
    };
  },
});
