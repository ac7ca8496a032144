/**
 * The alert a user receives, worded from what evaluate.ts decided: what happened (with the
 * numbers), which rule of theirs it was, and when the numbers are from.
 */
import { dateTime, difficulty as fmtDifficulty, int, pct, pctChange } from '../core/format.ts';
import type { Headline } from '../core/headline.ts';
import type { Reply } from '../core/reply.ts';
import { plural } from '../core/plural.ts';
import { TARGET_BLOCK_SECONDS } from '../core/metrics/constants.ts';
import { kwhPrice } from '../core/metrics/fleet.ts';
import type { Crossing, Fired } from './evaluate.ts';
import { METRICS } from './metrics.ts';
import { describeRule } from './rules.ts';

const DAY_SEC = 86_400;

export function alertReply(fired: Fired, h: Headline): Reply {
  const { ruleId, spec } = fired;
  const lines = [whatHappened(fired.crossing), `Your rule #${ruleId}: ${describeRule(spec)}.`];
  if (h.stale) lines.push('⚠ Some of these numbers are stale: an upstream source did not answer on the last refresh.');
  return {
    title: `Alert #${ruleId}: ${describeRule(spec)}`,
    lines,
    sections: [],
    // Absolute times, not "5 min ago": the message may reach the user later than it was decided
    // (rate limits, retries, a restart), and a relative age frozen into it would then be wrong.
    footer: [
      `Block ${int(h.height)} · mined ${dateTime(h.tipTimeSec * 1000)}`,
      `Numbers as of ${dateTime(h.atMs)} · source: ${h.sources.join(', ') || 'unknown'}`,
      `Pause: /alert pause ${ruleId} · remove: /alert remove ${ruleId}`,
    ],
    tone: 'neutral',
    data: { ruleId, episode: fired.episode },
  };
}

/** The first line of the alert: what crossed, or which event happened, with the numbers. */
export function whatHappened(c: Crossing): string {
  switch (c.kind) {
    case 'threshold': {
      const m = METRICS[c.metric];
      return `${capitalise(m.label)} ${c.direction === 'above' ? 'rose above' : 'fell below'} ${m.format(c.threshold)}: now ${m.format(c.value)}.`;
    }
    case 'change': {
      const m = METRICS[c.metric];
      return `${capitalise(m.label)} changed ${pctChange(c.changePercent, 1)} over ${plural(c.windowDays, 'day')} (now ${m.format(c.value)}).`;
    }
    case 'hashprice_low':
      return `Hashprice is now ${METRICS.hashprice.format(c.value)}, below the previous ${c.days}-day low of ${METRICS.hashprice.format(c.low)}.`;
    case 'retarget': {
      const by = Number.isFinite(c.changePercent) ? ` by ${pctChange(c.changePercent)}` : '';
      return `Difficulty adjusted${by} at block ${int(c.epochHeight)}${c.difficulty === null ? '' : `: now ${fmtDifficulty(c.difficulty)}`}.`;
    }
    case 'ribbons':
      return c.to === 'capitulation'
        ? 'Hash ribbons turned to capitulation: the 30-day average hashrate fell below the 60-day average.'
        : 'Hash ribbons turned to recovery: the 30-day average hashrate crossed back above the 60-day average.';
    case 'pool_share':
      return c.pools
        .map((p) => `${p.name} found ${pct(p.sharePercent)} of blocks over the last week (line: ${c.linePercent} %).`)
        .join('\n');
    case 'halving': {
      const days = (c.blocksLeft * TARGET_BLOCK_SECONDS) / DAY_SEC;
      const about = days < 2 ? `${Math.round(days * 24)} hours` : `${days.toFixed(1)} days`;
      return `The halving at block ${int(c.halvingHeight)} is ${int(c.blocksLeft)} blocks away (about ${about} at 10 minutes a block): the subsidy drops from ${c.subsidyNowBtc} to ${c.subsidyThenBtc} BTC.`;
    }
    case 'under_water': {
      const moved = [
        ...(c.sank.length ? [`now losing money: ${c.sank.join(', ')}`] : []),
        ...(c.rose.length ? [`back above water: ${c.rose.join(', ')}`] : []),
      ].join('; ');
      return `At ${kwhPrice(c.powerUsdPerKwh)}, ${c.under} of ${c.total} models lose money at today's hashprice of ${METRICS.hashprice.format(c.hashprice)} (was ${c.was}); ${moved}.`;
    }
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
