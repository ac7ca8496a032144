/** /difficulty: where the next difficulty adjustment stands: progress, estimated change, ETA, blocks left, previous change. */
import { defineCommand } from '../src/core/command.ts';
import { age, dateTime, difficulty, int, pct, pctChange } from '../src/core/format.ts';
import { attribution } from '../src/core/freshness.ts';
import { retargetSummary, tooEarlyToEstimate } from '../src/core/metrics/index.ts';
import { DEFAULT_PREFS } from '../src/core/prefs.ts';

export default defineCommand({
  name: 'difficulty',
  description: 'Next difficulty adjustment: progress, estimated change, ETA, blocks left, previous change',
  options: {},
  shared: true,
  examples: ['/difficulty'],
  async run(ctx) {
    const [adj, net] = await Promise.all([ctx.market.difficultyAdjustment(), ctx.market.network()]);
    const now = ctx.now();
    const r = retargetSummary(adj.value, now);
    const zone = (ctx.prefs ?? DEFAULT_PREFS).zone;
    const estimate = r.estimatedChangePercent;
    const when = `at block ${int(adj.value.nextRetargetHeight)}, ${age(r.etaMs, now)} (${dateTime(r.etaMs, zone)})`;
    return {
      title: 'Difficulty adjustment',
      lines:
        estimate === undefined
          ? [`Next adjustment ${when}; its size is ${tooEarlyToEstimate(r.blocksIntoEpoch)}.`]
          : [
              `Estimated ${pctChange(estimate)} ${when}.`,
              `Blocks are arriving every ${r.avgBlockMinutes.toFixed(1)} min on average this epoch (target 10).`,
            ],
      sections: [
        {
          fields: [
            { label: 'Current difficulty', value: difficulty(net.value.difficulty), inline: true },
            { label: 'Epoch progress', value: pct(r.progressPercent), inline: true },
            { label: 'Blocks left', value: int(r.blocksLeft), inline: true },
            { label: 'Estimated change', value: estimate === undefined ? 'too early' : pctChange(estimate), inline: true },
            { label: 'ETA', value: dateTime(r.etaMs, zone), inline: true },
            { label: 'Previous change', value: pctChange(r.previousChangePercent), inline: true },
          ],
        },
      ],
      ...attribution(
        [
          { what: 'difficulty adjustment', sourced: adj },
          { what: 'difficulty', sourced: net },
        ],
        now,
      ),
      tone: estimate === undefined ? 'neutral' : estimate < 0 ? 'down' : 'up',
      data: {
        ...r,
        estimatedChangePercent: estimate ?? null,
        difficulty: net.value.difficulty,
        nextRetargetHeight: adj.value.nextRetargetHeight,
      },
    };
  },
});
