/** /pools: who finds the blocks: pool shares, top-1/top-3, Nakamoto coefficient and HHI over a window. */
import { defineCommand } from '../src/core/command.ts';
import { date, int, pct } from '../src/core/format.ts';
import { attribution, type Provenance } from '../src/core/freshness.ts';
import { poolConcentration } from '../src/core/metrics/index.ts';
import { concentrationThenNow, concentrationTrend, weeklyConcentration, type WeekConcentration } from '../src/core/metrics/pool-history.ts';
import { optional } from '../src/market-data/optional.ts';
import type { PoolWindow } from '../src/core/market.ts';
import { loadPools } from '../src/market-data/pools.ts';
import { periodAliases } from '../src/core/periods.ts';
import { plural } from '../src/core/plural.ts';

/** mempool serves these among others (mempool/mempool backend/src/api/common.ts getSqlInterval). */
const WINDOWS = ['24h', '1w', '1m', '3m', '1y'] as const satisfies readonly PoolWindow[];
/** The windows offered as buttons; the longer ones are there when typed, as in /chart pools 90d. */
const BUTTON_WINDOWS = ['24h', '1w', '1m'] as const;
const WINDOW_WORDS: Record<(typeof WINDOWS)[number], string> = {
  '24h': 'the last 24 hours',
  '1w': 'the last week',
  '1m': 'the last month',
  '3m': 'the last 3 months',
  '1y': 'the last year',
};
const SHOWN = 10;
const TREND_WORDS = { rose: 'rose', fell: 'fell', held: 'held about level' } as const;

/** "Foundry USA 30.0 % (week to 2025-03-03)" */
const weekTop = (w: WeekConcentration) => `${w.top1.name} ${pct(w.top1.share * 100)} (week to ${date(w.t * 1000)})`;
const nakamotoOf = (w: WeekConcentration) => (w.nakamoto === undefined ? 'n/a' : String(w.nakamoto));

export default defineCommand({
  name: 'pools',
  description: 'Mining pool shares of blocks found, top-1/top-3, Nakamoto coefficient and HHI',
  options: {
    // The same spellings as /chart pools (24h, 7d, 30d, 90d, 1y and their synonyms).
    window: {
      kind: 'choice',
      choices: WINDOWS,
      aliases: periodAliases(WINDOWS),
      example: '1w',
      description: 'Window: 24h, 1w, 1m, 3m or 1y (default 1w)',
    },
  },
  shared: true,
  examples: ['/pools', '/pools 24h', '/pools window=1m'],
  async run(ctx, args) {
    const window = (args.window ?? '1w') as (typeof WINDOWS)[number];
    const warnings: string[] = [];
    const [stats, history] = await Promise.all([
      loadPools(ctx.market, window),
      optional(ctx.market.poolHistory('3m'), warnings, 'Weekly pool history'),
    ]);
    const c = poolConcentration(stats.value.pools);
    const rest = c.shares.slice(SHOWN);
    const restShare = rest.reduce((a, p) => a + p.share, 0);
    const lines = [
      `${c.top1.name} found ${pct(c.top1.share * 100)} of the ${int(c.total)} blocks in ${WINDOW_WORDS[window]}; the top 3 found ${pct(c.top3Share * 100)}.`,
      `Nakamoto coefficient ${c.nakamoto}: that many pools together found more than half the blocks.`,
    ];
    if (c.unknownShare > 0) lines.push(`"Unknown" (blocks no pool claimed) is counted as one bucket: ${pct(c.unknownShare * 100)}.`);
    // Then against now in mempool's weekly shares, whatever window is shown above: the same
    // measure on both sides, so the change is not an artefact of a shorter or longer window.
    const pair = history ? concentrationThenNow(weeklyConcentration(history.value), 30) : undefined;
    const trend = pair ? concentrationTrend(pair.then, pair.now) : undefined;
    if (pair && trend) {
      lines.push(
        `Against 30 days earlier, concentration ${TREND_WORDS[trend]}: largest pool ${weekTop(pair.then)} → ${weekTop(pair.now)}; Nakamoto coefficient ${nakamotoOf(pair.then)} → ${nakamotoOf(pair.now)} (weekly shares).`,
      );
    } else if (history) {
      warnings.push('Weekly pool history too short to compare with 30 days earlier.');
    }
    const provenance: Provenance[] = [
      { what: 'pool stats', sourced: stats },
      ...(history ? [{ what: 'weekly pool history', sourced: history }] : []),
    ];
    return {
      title: `Mining pools (${window})`,
      lines: [...lines, ...warnings.map((w) => `⚠ ${w}`)],
      sections: [
        {
          title: 'Concentration',
          fields: [
            { label: 'Top pool', value: `${c.top1.name} ${pct(c.top1.share * 100)}`, inline: true },
            { label: 'Top 3', value: pct(c.top3Share * 100), inline: true },
            { label: 'Nakamoto coefficient', value: String(c.nakamoto), inline: true },
            { label: 'HHI', value: `${int(c.hhi)} (of 10,000)`, inline: true },
          ],
        },
        {
          title: 'Share of blocks',
          fields: [
            ...c.shares.slice(0, SHOWN).map((p) => ({ label: p.name, value: `${pct(p.share * 100)} (${int(p.blocks)})`, inline: true })),
            ...(rest.length ? [{ label: plural(rest.length, 'other'), value: pct(restShare * 100), inline: true }] : []),
          ],
        },
      ],
      ...attribution(provenance, ctx.now()),
      tone: 'neutral',
      buttons: BUTTON_WINDOWS.filter((w) => w !== window).map((w) => ({ label: w, command: 'pools', args: { window: w } })),
      data: {
        window,
        ...c,
        trend:
          pair && trend
            ? {
                trend,
                // biome-ignore lint/suspicious/noThenProperty: `then` is data (the earlier week), an object and never a function, so no await treats it as a promise
                then: { t: pair.then.t, top1: pair.then.top1, nakamoto: pair.then.nakamoto ?? null },
                now: { t: pair.now.t, top1: pair.now.top1, nakamoto: pair.now.nakamoto ?? null },
              }
            : null,
      },
    };
  },
});
