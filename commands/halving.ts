/** /halving: when the next halving comes, what it does to subsidy and hashprice, and the fees that would make up for it. */
import { defineCommand } from '../src/core/command.ts';
import { age, btc, date, difficulty, int, pct, pctChange } from '../src/core/format.ts';
import { attribution, type Provenance } from '../src/core/freshness.ts';
import { TARGET_BLOCK_SECONDS } from '../src/core/metrics/constants.ts';
import { halvingOutlook, recentBlockRate, type BlockRate } from '../src/core/metrics/halving.ts';
import { DAYS_PER_YEAR } from '../src/core/metrics/security.ts';
import { loadHashpriceInputs } from '../src/market-data/hashprice-inputs.ts';
import { optional } from '../src/market-data/optional.ts';
import { loadFx } from '../src/market-data/fx.ts';
import { DEFAULT_PREFS } from '../src/core/prefs.ts';
import { errorReply } from '../src/core/reply.ts';
import { impossibleWhatIf, MARKET_WHAT_IFS, readWhatIfs } from '../src/core/what-if.ts';

const DAY_MS = 86_400_000;

/** A halving years away reads better in whole days and years than as "in 1,061.4 days". */
function inTime(etaMs: number, nowMs: number): string {
  const days = (etaMs - nowMs) / DAY_MS;
  if (days < 60) return age(etaMs, nowMs);
  return `in ~${int(days)} days, ${(days / DAYS_PER_YEAR).toFixed(1)} years`;
}

export default defineCommand({
  name: 'halving',
  description: 'Next halving: blocks left, ETA, subsidy before/after, hashprice after and the fees to make up for it',
  options: {
    ...MARKET_WHAT_IFS,
  },
  examples: ['/halving', '/halving price=150000', '/halving fees=0.5'],
  async run(ctx, args) {
    const warnings: string[] = [];
    const { given, readAs } = readWhatIfs(args);
    const [inputs, adj] = await Promise.all([
      loadHashpriceInputs(ctx.market, given),
      optional(ctx.market.difficultyAdjustment(), warnings, 'Recent block rate'),
    ]);
    warnings.unshift(...inputs.warnings);
    const impossible = given.difficulty === undefined ? undefined : impossibleWhatIf(inputs);
    if (impossible) return errorReply('/halving: impossible what-if', `No network can give this figure: ${impossible}`);
    const rate: BlockRate | undefined = adj ? recentBlockRate(adj.value) : undefined;
    const intervalSec = rate?.intervalSec ?? TARGET_BLOCK_SECONDS;
    const now = ctx.now();
    const h = halvingOutlook({
      height: inputs.height,
      // Without the tip's time (fallback source) the count starts now.
      fromTimeSec: inputs.tipTimeSec ?? now / 1000,
      intervalSec,
      difficulty: inputs.difficulty,
      avgFeesBtc: inputs.avgFeesBtc,
      priceUsd: inputs.priceUsd,
    });
    const prefs = ctx.prefs ?? DEFAULT_PREFS;
    // A price= what-if is in USD, so that answer stays in USD rather than mixing in a live exchange rate.
    const fx = await loadFx(ctx.market, args.price === undefined ? prefs.currency : 'USD', now);
    const amount = fx.fromUsd;
    const zone = prefs.zone;
    const minutes = (intervalSec / 60).toFixed(1);
    const rateBasis = rate
      ? rate.basis === 'epoch'
        ? `the mean interval over the last ${int(rate.blocks)} blocks (this difficulty epoch)`
        : `${adj!.source}'s interval over the last ${int(rate.blocks)} blocks`
      : 'the 10-minute target (the recent rate is unavailable)';
    const multiple =
      h.feesMultiple === undefined
        ? ''
        : ` (${h.feesMultiple >= 10 ? int(h.feesMultiple) : h.feesMultiple.toFixed(1)}× today's ${btc(inputs.avgFeesBtc, 4)})`;
    const whatIf = inputs.whatIf.length > 0;
    const provenance: Provenance[] = [...inputs.provenance, ...(adj ? [{ what: 'block rate', sourced: adj }] : [])];
    return {
      title: whatIf ? 'Next halving (what-if)' : 'Next halving',
      lines: [
        `Block ${int(h.halvingHeight)} is ${int(h.blocksLeft)} blocks away: about ${date(h.etaMs, zone)} (${inTime(h.etaMs, now)}) at one block every ${minutes} min.`,
        `The subsidy halves from ${h.subsidyNowBtc} to ${h.subsidyAfterBtc} BTC: hashprice would fall from ${amount(h.hashpriceNowUsdPerPhDay)} to ${amount(h.hashpriceAfterUsdPerPhDay)}/PH/day (${pctChange(h.hashpriceChangePercent, 1)}).`,
        `To keep hashprice where it is, fees would have to average ${btc(h.feesToKeepHashpriceBtc, 4)} per block${multiple}: at least ${int(h.minFeeRateSatPerVb)} sat/vB across a full block.`,
        `Assumes today's price ${amount(inputs.priceUsd)}, difficulty ${difficulty(inputs.difficulty)} and fees ${btc(inputs.avgFeesBtc, 4)}/block hold; ETA from ${rateBasis}.`,
        ...(whatIf ? [`What-if with ${inputs.whatIf.join(', ')} set by you; other inputs are live.`] : []),
        ...readAs,
        ...(args.price !== undefined && prefs.currency !== 'USD'
          ? [`price= is in USD, so this what-if answers in USD (your currency is ${prefs.currency}).`]
          : []),
        ...fx.lines,
        ...warnings.map((w) => `⚠ ${w}`),
      ],
      sections: [
        {
          fields: [
            { label: 'Blocks left', value: int(h.blocksLeft), inline: true },
            { label: 'Estimated date', value: date(h.etaMs, zone), inline: true },
            { label: 'Block rate', value: `${minutes} min (target 10)`, inline: true },
            { label: 'Subsidy now / after', value: `${h.subsidyNowBtc} / ${h.subsidyAfterBtc} BTC`, inline: true },
            { label: 'Hashprice now', value: `${amount(h.hashpriceNowUsdPerPhDay)}/PH/day`, inline: true },
            { label: 'Hashprice after (est.)', value: `${amount(h.hashpriceAfterUsdPerPhDay)}/PH/day`, inline: true },
            { label: 'Fees to keep hashprice', value: `${btc(h.feesToKeepHashpriceBtc, 4)}/block`, inline: true },
            { label: 'Fee share then', value: pct(h.feeShareThen * 100, 1), inline: true },
          ],
        },
      ],
      ...attribution(provenance, now, inputs.tipTimeSec ? { height: inputs.height, timestampSec: inputs.tipTimeSec } : undefined),
      tone: 'neutral',
      data: {
        ...h,
        currency: fx.currency,
        perUsd: fx.perUsd,
        blockRate: rate ?? null,
        intervalSec,
        inputs: { ...inputs, provenance: undefined },
        whatIf: inputs.whatIf,
      },
    };
  },
});
