/**
 * The daily digest: the headline numbers with their changes, and a few plain-language insights
 * chosen by how remarkable they are today. It goes out with whatever parts of the headline could
 * be had, says which are missing, and marks figures computed with an input missing.
 */
import type { Headline, PartialHeadline } from './headline.ts';
import { fleetEconomics, kwhPrice } from './metrics/fleet.ts';
import { changePercent, lowestSince } from './metrics/index.ts';
import { date, hashrate, pct, pctChange, usd } from './format.ts';
import type { Field, Reply } from './reply.ts';
import { plural } from './plural.ts';

const DAY = 86_400;

interface Insight {
  text: string;
  /** Higher is more remarkable; the digest keeps the top few. */
  weight: number;
}

type DigestInput = PartialHeadline | (Headline & { missing?: string[] });

/** A USD hashprice fit for comparisons: present, and not computed with an input missing. */
function comparableHashprice(h: DigestInput): number | undefined {
  return h.degraded?.hashpriceUsdPerPhDay === undefined ? h.hashpriceUsdPerPhDay : undefined;
}

function hashpriceChangePercent(h: DigestInput, days: number): number | undefined {
  const now = comparableHashprice(h);
  if (now === undefined || !h.hashpriceHistory || h.tipTimeSec === undefined) return undefined;
  return changePercent(h.hashpriceHistory, now, h.tipTimeSec, days);
}

function digestInsights(h: DigestInput): string[] {
  const out: Insight[] = [];
  const earlier = h.hashpriceHistory ?? [];
  const hp = comparableHashprice(h);
  if (earlier.length && hp !== undefined && h.tipTimeSec !== undefined) {
    const since = lowestSince(earlier, hp);
    const daysSince = since === undefined ? Infinity : (h.tipTimeSec - since) / DAY;
    if (daysSince >= 30) {
      out.push({
        weight: 10,
        text:
          since === undefined
            ? `Hashprice is at its lowest in all the data we have (since ${date(earlier[0]!.t * 1000)}): ${usd(hp)}/PH/day.`
            : `Hashprice is at its lowest since ${date(since * 1000)}: ${usd(hp)}/PH/day.`,
      });
    }
  }
  const hp30 = hashpriceChangePercent(h, 30);
  if (hp30 !== undefined && Math.abs(hp30) >= 5) {
    out.push({ weight: Math.abs(hp30) / 3, text: `Hashprice is ${hp30 < 0 ? 'down' : 'up'} ${pct(Math.abs(hp30))} in 30 days.` });
  }
  const hr30 = h.hashrate7dChange30dPercent;
  if (h.ribbons === 'capitulation') {
    out.push({
      weight: 8,
      text: 'Hash ribbons show capitulation: the 30-day average hashrate is below the 60-day average, so miners are switching off.',
    });
  } else if (h.ribbons === 'recovery') {
    out.push({ weight: 7, text: 'Hash ribbons show recovery: the 30-day average hashrate crossed back above the 60-day average.' });
  }
  if (hr30 !== undefined && h.hashrate7d !== undefined && Math.abs(hr30) >= 3) {
    out.push({
      weight: Math.abs(hr30) / 2,
      text: `The 7-day average hashrate is ${hr30 < 0 ? 'down' : 'up'} ${pct(Math.abs(hr30))} in 30 days (${hashrate(h.hashrate7d)}).`,
    });
  }
  if (h.feeSharePercent !== undefined && h.degraded?.feeSharePercent === undefined) {
    out.push({
      weight: h.feeSharePercent < 2 || h.feeSharePercent > 10 ? 4 : 2,
      text: `Fees are ${pct(h.feeSharePercent, 2)} of miner revenue; the subsidy pays the rest.`,
    });
  }
  if (h.pools1w && h.topPool && h.nakamoto !== undefined) {
    const top2 = h.pools1w.slice(0, 2).reduce((a, p) => a + p.sharePercent, 0);
    out.push({
      weight: h.topPool.sharePercent >= 30 ? 6 : 3,
      text: `The top 2 pools found ${pct(top2, 0)} of blocks this week (${h.pools1w
        .slice(0, 2)
        .map((p) => p.name)
        .join(', ')}); ${plural(h.nakamoto, 'pool')} ${h.nakamoto === 1 ? 'alone' : 'together'} found more than half.`,
    });
  }
  if (h.difficultyChangePercent !== undefined && Math.abs(h.difficultyChangePercent) >= 2) {
    out.push({
      weight: Math.abs(h.difficultyChangePercent) / 1.5,
      text: `Difficulty is expected to change ${pctChange(h.difficultyChangePercent)} at the next adjustment.`,
    });
  }
  return out
    .sort((a, b) => b.weight - a.weight)
    .slice(0, 4)
    .map((i) => i.text);
}

/**
 * `referencePowerUsdPerKwh`: the power price at which the digest counts the models under water
 * (REFERENCE_POWER in metrics/benchmarks.ts, or the operator's REFERENCE_POWER_USD_PER_KWH).
 */
export function digestReply(h: DigestInput, footer: string[], warnings: readonly string[] = [], referencePowerUsdPerKwh?: number): Reply {
  const change = (v: number | undefined) => (v === undefined ? 'n/a' : pctChange(v, 1));
  const hp1 = hashpriceChangePercent(h, 1);
  const hp7 = hashpriceChangePercent(h, 7);
  const hp30 = hashpriceChangePercent(h, 30);
  const missing = h.missing ?? [];
  const degradedWhy = [...new Set(Object.values(h.degraded ?? {}))];
  const fields: Field[] = [];
  if (h.hashpriceUsdPerPhDay !== undefined) {
    const value = h.degraded?.hashpriceUsdPerPhDay
      ? `${usd(h.hashpriceUsdPerPhDay)}/PH/day (subsidy only: fees missing)`
      : `${usd(h.hashpriceUsdPerPhDay)}/PH/day (1d ${change(hp1)}, 7d ${change(hp7)}, 30d ${change(hp30)})`;
    fields.push({ label: 'Hashprice', value, inline: false });
  } else if (h.hashpriceBtcPerPhDay !== undefined) {
    fields.push({
      label: 'Hashprice',
      value: `${h.hashpriceBtcPerPhDay.toFixed(8)} BTC/PH/day${h.degraded?.hashpriceBtcPerPhDay ? ' (subsidy only: fees missing)' : ''}; USD unavailable`,
      inline: false,
    });
  }
  if (h.priceUsd !== undefined) fields.push({ label: 'Price', value: usd(h.priceUsd), inline: true });
  if (h.hashrate7d !== undefined) {
    fields.push({
      label: 'Hashrate (7d avg)',
      value: `${hashrate(h.hashrate7d)} (7d ${change(h.hashrate7dChange7dPercent)}, 30d ${change(h.hashrate7dChange30dPercent)})`,
      inline: true,
    });
  }
  if (h.lastRetarget !== undefined) {
    fields.push({
      label: 'Next difficulty',
      value: h.difficultyChangePercent === undefined ? 'too early to estimate' : pctChange(h.difficultyChangePercent),
      inline: true,
    });
  }
  if (h.feeSharePercent !== undefined) {
    fields.push({
      label: 'Fee share',
      value: h.degraded?.feeSharePercent ? 'unavailable (fees missing)' : pct(h.feeSharePercent, 2),
      inline: true,
    });
  }
  // Counted only on a full hashprice: without the fees every model would look worse than it is.
  const hp = comparableHashprice(h);
  const fleet =
    hp !== undefined && hp > 0 && referencePowerUsdPerKwh !== undefined
      ? fleetEconomics({ powerUsdPerKwh: referencePowerUsdPerKwh, hashpriceUsdPerPhDay: hp })
      : undefined;
  if (fleet)
    fields.push({
      label: 'Models under water',
      value: `${fleet.underWater} of ${fleet.total} at ${kwhPrice(fleet.powerUsdPerKwh)}`,
      inline: true,
    });
  if (h.topPool) fields.push({ label: 'Top pool (1w)', value: `${h.topPool.name} ${pct(h.topPool.sharePercent)}`, inline: true });
  if (h.nakamoto !== undefined) fields.push({ label: 'Nakamoto coefficient', value: String(h.nakamoto), inline: true });
  const caveats = [
    ...(missing.length ? [`Missing from this digest: ${missing.join('; ')}.`] : []),
    ...degradedWhy.map((why) => `Figures marked "subsidy only" leave out the fees: ${why}.`),
  ];
  const insights = digestInsights(h);
  return {
    title: `Mining digest · ${date((h.tipTimeSec ?? h.atMs / 1000) * 1000)}`,
    lines: [...insights, ...caveats.map((c) => `⚠ ${c}`), ...warnings.map((w) => `⚠ ${w}`)],
    sections: [{ fields }],
    footer,
    tone: hp30 === undefined ? 'neutral' : hp30 < 0 ? 'down' : 'up',
    data: {
      ...h,
      hashpriceHistory: undefined,
      missing,
      degraded: h.degraded ?? {},
      hashpriceChange: { '1d': hp1 ?? null, '7d': hp7 ?? null, '30d': hp30 ?? null },
      insights,
      underWater: fleet ? { models: fleet.underWater, of: fleet.total, powerUsdPerKwh: fleet.powerUsdPerKwh } : null,
    },
  };
}
