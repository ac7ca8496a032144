/**
 * The daily digest: the headline numbers with their changes, and a few plain-language insights
 * chosen by how remarkable they are today.
 */
import type { Headline } from './headline.ts';
import { changePercent, lowestSince } from './metrics/index.ts';
import { date, hashrate, pct, pctChange, usd } from './format.ts';
import type { Reply } from './reply.ts';
import { plural } from './plural.ts';

const DAY = 86_400;

interface Insight {
  text: string;
  /** Higher is more remarkable; the digest keeps the top few. */
  weight: number;
}

export function hashpriceChangePercent(h: Headline, days: number): number | undefined {
  return changePercent(h.hashpriceHistory.slice(0, -1), h.hashpriceUsdPerPhDay, h.tipTimeSec, days);
}

export function digestInsights(h: Headline): string[] {
  const out: Insight[] = [];
  const history = h.hashpriceHistory;
  const earlier = history.slice(0, -1);
  if (earlier.length) {
    const since = lowestSince(earlier, h.hashpriceUsdPerPhDay);
    const daysSince = since === undefined ? Infinity : (h.tipTimeSec - since) / DAY;
    if (daysSince >= 30) {
      out.push({
        weight: 10,
        text: since === undefined
          ? `Hashprice is at its lowest in all the data we have (since ${date(earlier[0]!.t * 1000)}): ${usd(h.hashpriceUsdPerPhDay)}/PH/day.`
          : `Hashprice is at its lowest since ${date(since * 1000)}: ${usd(h.hashpriceUsdPerPhDay)}/PH/day.`,
      });
    }
  }
  const hp30 = hashpriceChangePercent(h, 30);
  if (hp30 !== undefined && Math.abs(hp30) >= 5) {
    out.push({ weight: Math.abs(hp30) / 3, text: `Hashprice is ${hp30 < 0 ? 'down' : 'up'} ${pct(Math.abs(hp30))} in 30 days.` });
  }
  const hr30 = h.hashrate7dChange30dPercent;
  if (h.ribbons === 'capitulation') {
    out.push({ weight: 8, text: 'Hash ribbons show capitulation: the 30-day average hashrate is below the 60-day average, so miners are switching off.' });
  } else if (h.ribbons === 'recovery') {
    out.push({ weight: 7, text: 'Hash ribbons show recovery: the 30-day average hashrate crossed back above the 60-day average.' });
  }
  if (hr30 !== undefined && Math.abs(hr30) >= 3) {
    out.push({ weight: Math.abs(hr30) / 2, text: `The 7-day average hashrate is ${hr30 < 0 ? 'down' : 'up'} ${pct(Math.abs(hr30))} in 30 days (${hashrate(h.hashrate7d)}).` });
  }
  out.push({
    weight: h.feeSharePercent < 2 || h.feeSharePercent > 10 ? 4 : 2,
    text: `Fees are ${pct(h.feeSharePercent, 2)} of miner revenue; the subsidy pays the rest.`,
  });
  const top2 = h.pools1w.slice(0, 2).reduce((a, p) => a + p.sharePercent, 0);
  out.push({
    weight: h.topPool.sharePercent >= 30 ? 6 : 3,
    text: `The top 2 pools found ${pct(top2, 0)} of blocks this week (${h.pools1w.slice(0, 2).map((p) => p.name).join(', ')}); ${plural(h.nakamoto, 'pool')} ${h.nakamoto === 1 ? 'alone' : 'together'} found more than half.`,
  });
  if (Math.abs(h.difficultyChangePercent) >= 2) {
    out.push({ weight: Math.abs(h.difficultyChangePercent) / 1.5, text: `Difficulty is expected to change ${pctChange(h.difficultyChangePercent)} at the next adjustment.` });
  }
  return out
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 4)
    .map((i) => i.text);
}

export function digestReply(h: Headline, footer: string[], warnings: readonly string[] = []): Reply {
  const change = (v: number | undefined) => (v === undefined ? 'n/a' : pctChange(v, 1));
  const hp1 = hashpriceChangePercent(h, 1);
  const hp7 = hashpriceChangePercent(h, 7);
  const hp30 = hashpriceChangePercent(h, 30);
  return {
    title: `Mining digest · ${date(h.tipTimeSec * 1000)}`,
    lines: [...digestInsights(h), ...warnings.map((w) => `⚠ ${w}`)],
    sections: [
      {
        fields: [
          { label: 'Hashprice', value: `${usd(h.hashpriceUsdPerPhDay)}/PH/day (1d ${change(hp1)}, 7d ${change(hp7)}, 30d ${change(hp30)})`, inline: false },
          { label: 'Price', value: usd(h.priceUsd), inline: true },
          { label: 'Hashrate (7d avg)', value: `${hashrate(h.hashrate7d)} (7d ${change(h.hashrate7dChange7dPercent)}, 30d ${change(h.hashrate7dChange30dPercent)})`, inline: true },
          { label: 'Next difficulty', value: pctChange(h.difficultyChangePercent), inline: true },
          { label: 'Fee share', value: pct(h.feeSharePercent, 2), inline: true },
          { label: 'Top pool (1w)', value: `${h.topPool.name} ${pct(h.topPool.sharePercent)}`, inline: true },
          { label: 'Nakamoto coefficient', value: String(h.nakamoto), inline: true },
        ],
      },
    ],
    footer,
    tone: hp30 === undefined ? 'neutral' : hp30 < 0 ? 'down' : 'up',
    data: { ...h, hashpriceHistory: undefined, hashpriceChange: { '1d': hp1 ?? null, '7d': hp7 ?? null, '30d': hp30 ?? null }, insights: digestInsights(h) },
  };
}
