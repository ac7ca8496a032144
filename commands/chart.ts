/** /chart: how a metric (hashprice, hashrate, price, difficulty, fee share, revenue, pools) moved, as a PNG over 24h to 1y. */
import { defineCommand } from '../src/core/command.ts';
import {
  buildChart,
  CHART_METRICS,
  CHART_RANGES,
  LINE_CHART_RANGES,
  type ChartMetric,
  type ChartRange,
} from '../src/charts/metric-charts.ts';
import { errorReply } from '../src/core/reply.ts';
import { periodAliases } from '../src/core/periods.ts';

export default defineCommand({
  name: 'chart',
  description: 'A chart (PNG) of hashprice, hashrate, price, difficulty, fee share, revenue or pools, 7d to 1y',
  options: {
    metric: {
      kind: 'choice',
      required: true,
      choices: CHART_METRICS,
      aliases: {
        hp: 'hashprice',
        hashpriceusd: 'hashprice',
        hpbtc: 'hashprice-btc',
        btchashprice: 'hashprice-btc',
        hashpricesats: 'hashprice-btc',
        hash: 'hashrate',
        hashrates: 'hashrate',
        priceusd: 'price',
        prices: 'price',
        btcprice: 'price',
        diff: 'difficulty',
        fee: 'fees',
        feeshare: 'fees',
        pool: 'pools',
        miningpools: 'pools',
        rewards: 'revenue',
        reward: 'revenue',
        budget: 'revenue',
        security: 'revenue',
      },
      example: 'hashprice',
      description: 'What to chart',
    },
    range: {
      kind: 'choice',
      choices: CHART_RANGES,
      // The same spellings as /pools, so "/chart pools 24h" works wherever "/pools 24h" does.
      aliases: periodAliases(CHART_RANGES),
      example: '90d',
      description: 'Period shown (default 30d; 24h for pools only)',
    },
  },
  examples: ['/chart hashprice 90d', '/chart hashrate 1y', '/chart pools 30d', '/chart difficulty range=90d'],
  async run(ctx, args) {
    const range = (args.range ?? '30d') as ChartRange;
    const ranges: readonly ChartRange[] = args.metric === 'pools' ? CHART_RANGES : LINE_CHART_RANGES;
    if (!ranges.includes(range)) {
      return errorReply(
        `/chart ${args.metric}: range ${range}`,
        `A ${args.metric} chart covers ${LINE_CHART_RANGES.join(', ')}; 24h is for /chart pools (or /pools 24h).`,
      );
    }
    const built = await buildChart({
      metric: args.metric as ChartMetric,
      range,
      market: ctx.market,
      snapshots: ctx.services.historyStore,
      now: ctx.now(),
      zone: ctx.prefs?.zone,
    });
    return {
      title: built.title,
      lines: [built.summary, ...built.notes.map((n) => `⚠ ${n}`)],
      sections: [],
      footer: built.footer,
      tone: built.tone,
      chart: built.chart,
      buttons: ranges.filter((r) => r !== range).map((r) => ({ label: r, command: 'chart', args: { metric: args.metric, range: r } })),
      data: built.data,
    };
  },
});
