/** /about: what hashwatch is, which sources its figures come from, how fresh they are, and its version. */
import { defineCommand } from '../src/core/command.ts';
import { age, int } from '../src/core/format.ts';
import { attribution } from '../src/core/freshness.ts';
import { optional } from '../src/market-data/optional.ts';
import { TTL_MS } from '../src/sources/index.ts';
import { CATALOG, CHART_NAMES, METRIC_IDS, type MetricId } from '../src/core/metrics/catalog.ts';

/** Where a metric can be used: an alert subject, a /chart name, or both. */
function usesOf(id: MetricId): string {
  const charts = Object.entries(CHART_NAMES)
    .filter(([, to]) => to === id)
    .map(([name]) => `/chart ${name}`);
  return ['threshold' in CATALOG[id] ? `/alert add ${id}` : undefined, ...charts].filter(Boolean).join(', ');
}

const secs = (ms: number) => (ms >= 60_000 ? `${ms / 60_000} min` : `${ms / 1000} s`);

export default defineCommand({
  name: 'about',
  description: 'What hashwatch is, where its numbers come from, how fresh they are, and its version',
  options: {},
  examples: ['/about'],
  async run(ctx) {
    const warnings: string[] = [];
    const tip = await optional(ctx.market.tip(), warnings, 'Block tip');
    // The configured sources, not the defaults: a self-hosted mempool is credited by its host, and a fallback turned off is not listed.
    const names = ctx.market.sourceNames ?? { primary: 'mempool.space', priceFallback: 'Coinbase', chainFallback: 'blockchain.info' };
    return {
      title: `hashwatch ${ctx.version}`,
      lines: [
        'Open-source Bitcoin mining market updates for Discord, Telegram and the terminal.',
        tip
          ? `Latest block ${int(tip.value.height)}, mined ${age(tip.value.timestampSec * 1000, ctx.now())}.`
          : 'The latest block is unknown right now.',
        ...warnings.map((w) => `⚠ ${w}`),
      ],
      sections: [
        {
          title: 'Sources',
          fields: [
            { label: `${names.primary} API (primary)`, value: 'blocks, difficulty, fees, pools, hashrate and price history, prices' },
            ...(names.priceFallback
              ? [{ label: `${names.priceFallback} (fallback)`, value: 'BTC price in USD and other currencies when mempool is down' }]
              : []),
            ...(names.chainFallback
              ? [{ label: `${names.chainFallback} (fallback)`, value: 'block height, difficulty and hashrate when mempool is down' }]
              : []),
          ],
        },
        {
          title: 'Freshness',
          fields: [
            {
              label: 'Cached for',
              value: `tip ${secs(TTL_MS.tip)}, prices ${secs(TTL_MS.prices)}, 144-block fees ${secs(TTL_MS.rewardStats)}, fee rates ${secs(TTL_MS.recommendedFees)}, pools ${secs(TTL_MS.pools)}, history ${secs(TTL_MS.history)}; a failed refresh serves the last value marked stale`,
            },
            {
              label: 'Formulas',
              value: 'hashprice = 86400·1e15 / (difficulty·2^32) × (subsidy + average fees of the last 144 blocks) × price',
            },
          ],
        },
        {
          // One line per metric of the catalog, so a new metric is listed here without another edit.
          title: 'Metrics watched and recorded',
          fields: METRIC_IDS.map((id) => ({
            label: CATALOG[id].label,
            value: `in ${CATALOG[id].unit}; ${usesOf(id) || 'recorded for history'}`,
          })),
        },
      ],
      ...(tip ? attribution([{ what: 'block tip', sourced: tip }], ctx.now()) : { footer: [] }),
      tone: 'neutral',
      data: { version: ctx.version },
    };
  },
});
