/** /site: mine or lease to AI? Mining margin per MW per month against an AI/HPC hosting lease. */
import { defineCommand } from '../src/core/command.ts';
import { money, usd, usdPerKwh } from '../src/core/format.ts';
import { attribution } from '../src/core/freshness.ts';
import { ASIC_MODELS, findAsic } from '../src/core/metrics/asics.ts';
import { AI_LEASE, DEFAULT_BENCHMARKS, REFERENCE_POWER } from '../src/core/metrics/benchmarks.ts';
import { hashprice } from '../src/core/metrics/hashprice.ts';
import { SITE_LEAVES_OUT, siteEconomics } from '../src/core/metrics/site.ts';
import { loadHashpriceInputs } from '../src/market-data/hashprice-inputs.ts';
import { loadFx, type Fx } from '../src/market-data/fx.ts';
import { DEFAULT_PREFS } from '../src/core/prefs.ts';

/** A current-generation air-cooled fleet when the user names no machine. */
const DEFAULT_MODEL = 's21';

/** "$1.8M" for lease rates, which are quoted in millions per MW per year; another currency converts ("€1.67M"). */
const millions = (n: number, fx: Fx) =>
  fx.currency !== 'USD' ? money(n * fx.perUsd, fx.currency) : n >= 1e6 ? `$${Number((n / 1e6).toFixed(2))}M` : usd(n);

export default defineCommand({
  name: 'site',
  description: 'Mine or lease to AI? Mining margin per MW per month against an AI/HPC hosting lease',
  options: {
    mw: { kind: 'number', min: 0.001, max: 100_000, unit: 'MW', example: 'mw=50', description: 'Site size in MW (default 1)' },
    power: {
      kind: 'number',
      min: 0,
      max: 2,
      unit: 'USD per kWh',
      example: 'power=0.05',
      description: `Power price in USD per kWh (default ${REFERENCE_POWER.value} or the operator's)`,
    },
    model: {
      kind: 'choice',
      choices: ASIC_MODELS.map((m) => m.id),
      autocomplete: true,
      example: 'model=s21',
      description: `Fleet ASIC model, e.g. s21xp, s19jpro (default ${DEFAULT_MODEL})`,
    },
    efficiency: {
      kind: 'number',
      min: 1,
      max: 500,
      unit: 'J/TH',
      example: 'efficiency=21.5',
      description: 'Fleet efficiency in J/TH, instead of a model',
    },
    lease: {
      kind: 'number',
      min: 0,
      max: 100_000_000,
      unit: 'USD per MW per year',
      example: 'lease=1.5M',
      description: "AI/HPC lease in USD per MW per year (default 1.8M or the operator's)",
    },
  },
  examples: ['/site', '/site 50 0.04 s21xp', '/site mw=20 efficiency=25 lease=1.5M'],
  async run(ctx, args) {
    const model = args.efficiency === undefined ? findAsic(args.model ?? DEFAULT_MODEL) : undefined;
    const efficiency = args.efficiency ?? model!.efficiencyJPerTh;
    const mw = args.mw ?? 1;
    const bench = ctx.services.benchmarks ?? DEFAULT_BENCHMARKS;
    const power = args.power ?? bench.referencePowerUsdPerKwh;
    const leaseYear = args.lease ?? bench.aiLeaseUsdPerMwYear;
    const inputs = await loadHashpriceInputs(ctx.market);
    const hp = hashprice(inputs);
    const s = siteEconomics({
      mw,
      powerUsdPerKwh: power,
      efficiencyJPerTh: efficiency,
      hashpriceUsdPerPhDay: hp.usdPerPhDay,
      leaseUsdPerMwYear: leaseYear,
    });
    const fx = await loadFx(ctx.market, (ctx.prefs ?? DEFAULT_PREFS).currency, ctx.now());
    const amount = fx.fromUsd;
    // power= and lease= are USD (leases are disclosed in USD); shown converted, with the USD as given.
    const powerShown = fx.currency === 'USD' ? `$${Number(power.toFixed(4))}/kWh` : `${fx.perKwhFromUsd(power)} (${usdPerKwh(power)})`;
    const machine = model ? `${model.name} (${efficiency} J/TH)` : `${efficiency} J/TH machines`;
    const m = s.perMwMonth;
    const miningWord = m.miningMargin >= 0 ? `nets ${amount(m.miningMargin)}` : `loses ${amount(-m.miningMargin)}`;
    const leaseSource =
      args.lease !== undefined
        ? 'Lease rate set by you.'
        : leaseYear === AI_LEASE.value
          ? `Lease default ${millions(leaseYear, fx)} per MW per year: the ${AI_LEASE.citation}; set lease= for your own.`
          : `Lease default ${millions(leaseYear, fx)} per MW per year, set by this bot's operator; set lease= for your own.`;
    const fleetSource =
      args.efficiency !== undefined
        ? args.model !== undefined
          ? ' Both given: efficiency= is used, model= ignored.'
          : ''
        : args.model === undefined
          ? ` No model given: a fleet of ${model!.name}.`
          : '';
    const sitePart =
      mw === 1
        ? []
        : [
            {
              title: `Site of ${mw.toLocaleString('en-US')} MW, per month`,
              fields: [
                { label: 'Mining margin', value: amount(s.siteMonth.miningMargin), inline: true },
                { label: 'AI lease', value: amount(s.siteMonth.lease), inline: true },
              ],
            },
          ];
    return {
      title: 'Mining vs AI hosting',
      lines: [
        `Per MW a month, mining with ${machine} at ${powerShown} ${miningWord} after power; leasing the power to AI/HPC tenants at ${millions(leaseYear, fx)} per MW per year grosses ${amount(m.lease)}.`,
        `Mining would match the lease at a hashprice of ${amount(s.hashpriceToMatchLease)}/PH/day (now ${amount(hp.usdPerPhDay)}).`,
        `${leaseSource}${fleetSource} Tenants pay their own power in these leases, so the lease compares with mining after power.`,
        SITE_LEAVES_OUT,
        ...fx.lines,
        ...inputs.warnings.map((w) => `⚠ ${w}`),
      ],
      sections: [
        {
          title: 'Per MW, per month',
          fields: [
            { label: 'Mining revenue', value: amount(m.miningRevenue), inline: true },
            { label: 'Power cost', value: amount(m.powerCost), inline: true },
            { label: 'Mining margin', value: amount(m.miningMargin), inline: true },
            { label: 'AI lease (gross)', value: amount(m.lease), inline: true },
            { label: 'Lease minus mining', value: amount(m.leaseAdvantage), inline: true },
            { label: 'Hashprice to match', value: `${amount(s.hashpriceToMatchLease)}/PH/day`, inline: true },
          ],
        },
        ...sitePart,
      ],
      ...attribution(
        inputs.provenance,
        ctx.now(),
        inputs.tipTimeSec ? { height: inputs.height, timestampSec: inputs.tipTimeSec } : undefined,
      ),
      tone: m.leaseAdvantage > 0 ? 'down' : 'up',
      data: {
        mw,
        powerUsdPerKwh: power,
        efficiencyJPerTh: efficiency,
        model: model?.id ?? null,
        leaseUsdPerMwYear: leaseYear,
        hashpriceUsdPerPhDay: hp.usdPerPhDay,
        ...s,
        currency: fx.currency,
        perUsd: fx.perUsd,
      },
    };
  },
});
