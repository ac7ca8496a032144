/** /fees: how much of miners' revenue fees make over the last 144 blocks, and the fee rates recommended now. */
import { defineCommand } from '../src/core/command.ts';
import { btc, pct } from '../src/core/format.ts';
import { attribution, type Provenance } from '../src/core/freshness.ts';
import { avgFeesBtcFromRewardStats, feeShare, subsidyBtc } from '../src/core/metrics/index.ts';
import type { Section } from '../src/core/reply.ts';
import { optional } from '../src/market-data/optional.ts';
import { fxFrom } from '../src/market-data/fx.ts';
import { DEFAULT_PREFS } from '../src/core/prefs.ts';
import { UpstreamError } from '../src/core/market.ts';

export default defineCommand({
  name: 'fees',
  description: 'Fees: their share of miner revenue over the last 144 blocks and the recommended rates now',
  options: {},
  shared: true,
  examples: ['/fees'],
  async run(ctx) {
    // Each part stands alone: the fee share needs no price, the rates need neither.
    const warnings: string[] = [];
    const [stats, rec, prices] = await Promise.all([
      optional(ctx.market.rewardStats(144), warnings, 'Fees of the last 144 blocks'),
      optional(ctx.market.recommendedFees(), warnings, 'Recommended fee rates'),
      optional(ctx.market.prices(), warnings, 'USD price'),
    ]);
    // The price only adds a USD amount to the fees: without both fee parts there is nothing to show.
    if (!stats && !rec) throw new UpstreamError('fees', warnings.filter((w) => !w.startsWith('USD price')).join(' '));
    const lines: string[] = [];
    const sections: Section[] = [];
    const provenance: Provenance[] = [];
    const data: Record<string, unknown> = {};
    if (stats) {
      const s = stats.value;
      const subsidy = subsidyBtc(s.endBlock);
      const avgFees = avgFeesBtcFromRewardStats(s);
      const share = feeShare(subsidy, avgFees) * 100;
      const usdRate = prices?.value.rates.USD;
      const fx = prices ? fxFrom(prices, (ctx.prefs ?? DEFAULT_PREFS).currency, ctx.now()) : undefined;
      lines.push(
        `Fees were ${pct(share, 2)} of miner revenue over blocks ${s.startBlock.toLocaleString('en-US')}–${s.endBlock.toLocaleString('en-US')}; the subsidy (${subsidy} BTC) paid the rest.`,
      );
      sections.push({
        title: 'Last 144 blocks',
        fields: [
          { label: 'Fee share of revenue', value: pct(share, 2), inline: true },
          {
            label: 'Average fees per block',
            value: `${btc(avgFees, 4)} (${usdRate === undefined || !fx ? 'USD unavailable' : fx.fromUsd(avgFees * usdRate)})`,
            inline: true,
          },
          { label: 'Transactions', value: s.totalTx.toLocaleString('en-US'), inline: true },
        ],
      });
      provenance.push({ what: 'reward stats', sourced: stats });
      if (prices) provenance.push({ what: 'price', sourced: prices });
      if (fx) lines.push(...fx.lines);
      Object.assign(data, {
        feeSharePercent: share,
        avgFeesBtc: avgFees,
        avgFeesUsd: usdRate === undefined ? null : avgFees * usdRate,
        subsidyBtc: subsidy,
        startBlock: s.startBlock,
        endBlock: s.endBlock,
      });
    }
    if (rec) {
      const r = rec.value;
      sections.push({
        title: 'Recommended rates (sat/vB)',
        fields: [
          { label: 'Next block', value: String(r.fastestFee), inline: true },
          { label: '30 min', value: String(r.halfHourFee), inline: true },
          { label: '1 hour', value: String(r.hourFee), inline: true },
          { label: 'Economy', value: String(r.economyFee), inline: true },
          { label: 'Minimum', value: String(r.minimumFee), inline: true },
        ],
      });
      provenance.push({ what: 'recommended fees', sourced: rec });
      data.recommended = r;
    }
    return {
      title: 'Fees',
      lines: [...lines, ...warnings.map((w) => `⚠ ${w}`)],
      sections,
      ...attribution(provenance, ctx.now()),
      tone: 'neutral',
      data: { ...data, missing: warnings },
    };
  },
});
