/** /hashrate: how much hash the network has (7-day average), how it changed, its drop from the high, hash ribbons. */
import { defineCommand } from '../src/core/command.ts';
import { date, hashrate, pctChange } from '../src/core/format.ts';
import { attribution } from '../src/core/freshness.ts';
import { hashRibbons, hashrateTrend, impliedHashrate } from '../src/core/metrics/index.ts';
import { loadHashrateSeries } from '../src/market-data/history.ts';

const RIBBON_TEXT = {
  capitulation: 'Hash ribbons: capitulation — the 30-day average is below the 60-day average (miners are switching off).',
  recovery: 'Hash ribbons: recovery — the 30-day average crossed back above the 60-day average.',
  normal: 'Hash ribbons: normal — the 30-day average is above the 60-day average.',
} as const;

export default defineCommand({
  name: 'hashrate',
  description: 'Network hashrate: 7-day average, change over 7 and 30 days, drop from the high, hash ribbons',
  options: {},
  shared: true,
  examples: ['/hashrate'],
  async run(ctx) {
    const [series, net] = await Promise.all([loadHashrateSeries(ctx.market, 'all'), ctx.market.network()]);
    const now = series.points.at(-1)?.t ?? Math.floor(ctx.now() / 1000);
    const trend = hashrateTrend(series.points, now);
    const ribbons = hashRibbons(series.points);
    const change = (v: number | undefined) => (v === undefined ? 'n/a' : pctChange(v, 1));
    return {
      title: 'Hashrate',
      lines: [
        // The all-time high of the 7-day average, named so: /chart hashrate plots daily estimates, whose
        // noisy peak runs higher ("daily peak" there).
        `The 7-day average is ${trend.drawdownPercent > 0.05 ? `${trend.drawdownPercent.toFixed(1)} % below` : 'at'} its all-time high (7-day average peak) of ${hashrate(trend.ath.v)} on ${date(trend.ath.t * 1000)}.`,
        RIBBON_TEXT[ribbons.state],
        'Daily estimates from one day of blocks are noisy (±8 %), so changes compare 7-day averages.',
      ],
      sections: [
        {
          fields: [
            { label: '7-day average', value: hashrate(trend.avg7d), inline: true },
            { label: 'Change 7d', value: change(trend.change7dPercent), inline: true },
            { label: 'Change 30d', value: change(trend.change30dPercent), inline: true },
            { label: 'Current estimate', value: `${hashrate(net.value.hashrate)} (${net.source})`, inline: true },
            { label: 'Implied by difficulty', value: hashrate(impliedHashrate(net.value.difficulty)), inline: true },
            { label: '7-day average peak', value: `${hashrate(trend.ath.v)} (${date(trend.ath.t * 1000)})`, inline: true },
            { label: '30d / 60d SMA', value: `${hashrate(ribbons.sma30)} / ${hashrate(ribbons.sma60)}`, inline: true },
          ],
        },
      ],
      ...attribution([...series.provenance, { what: 'network', sourced: net }], ctx.now()),
      tone: (trend.change7dPercent ?? 0) < 0 ? 'down' : 'up',
      data: {
        avg7d: trend.avg7d,
        change7dPercent: trend.change7dPercent ?? null,
        change30dPercent: trend.change30dPercent ?? null,
        ath: trend.ath,
        drawdownPercent: trend.drawdownPercent,
        currentEstimate: net.value.hashrate,
        implied: impliedHashrate(net.value.difficulty),
        ribbons,
      },
    };
  },
});
