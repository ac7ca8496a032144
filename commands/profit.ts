/** /profit: whether an ASIC model (or an efficiency) mines at a profit at your power price, with its breakevens. */
import { defineCommand } from '../src/core/command.ts';
import { int, pctChange, usd, usdPerKwh } from '../src/core/format.ts';
import { footerFor } from '../src/core/freshness.ts';
import { ASIC_MODELS, findAsic, hashprice, machineEconomics, miningEconomics, normaliseModelName, type AsicModel } from '../src/core/metrics/index.ts';
import { DEFAULT_BENCHMARKS, REFERENCE_POWER } from '../src/core/metrics/benchmarks.ts';
import { fleetEconomics, fleetRowField, fleetSummary, kwhPrice } from '../src/core/metrics/fleet.ts';
import type { Field, Reply } from '../src/core/reply.ts';
import { loadHashpriceInputs, type HashpriceInputs } from '../src/market-data/hashprice-inputs.ts';

/** The model choice that asks for every model at once ("/profit all 0.05"). */
const ALL_MODELS = 'all';

/**
 * Every model at one power price, most efficient first: which machines still earn more than their
 * power costs. One field per model (17 models and the section title fit Discord's 25 fields).
 */
function fleetReply(inputs: HashpriceInputs, power: number, powerFrom: 'you' | 'reference', footer: string[]): Reply {
  const hp = hashprice(inputs);
  const f = fleetEconomics({ powerUsdPerKwh: power, hashpriceUsdPerPhDay: hp.usdPerPhDay });
  const revenue = f.rows[0]!.economics.revenuePerThDay;
  return {
    title: `Every model at ${kwhPrice(power)}`,
    lines: [
      fleetSummary(f),
      `Each TH/s earns ${usd(revenue)} a day at today's ${usd(hp.usdPerPhDay)}/PH/day; rows show what is left after power (the power cost in brackets) and the power price where each breaks even. ⚠ marks a loss.`,
      ...(powerFrom === 'reference' ? [`Power price: the reference ${usdPerKwh(power)} (${REFERENCE_POWER.citation}); give yours with power=.`] : []),
      'Power only: no pool fees, hosting, cooling overhead or depreciation. Efficiencies are makers\' nameplate specs (/profit <model> shows each source).',
      ...inputs.warnings.map((w) => `⚠ ${w}`),
    ],
    sections: [{ title: 'Margin per TH/s per day, most efficient first', fields: f.rows.map((r) => ({ ...fleetRowField(r), inline: false })) }],
    footer,
    tone: f.underWater > f.total / 2 ? 'down' : 'neutral',
    data: {
      powerUsdPerKwh: power,
      powerFrom,
      hashpriceUsdPerPhDay: hp.usdPerPhDay,
      revenuePerThDay: revenue,
      underWater: f.underWater,
      total: f.total,
      rows: f.rows.map((r) => ({ id: r.id, name: r.name, efficiencyJPerTh: r.efficiencyJPerTh, underWater: r.underWater, ...r.economics })),
    },
  };
}

/** Every model with its nameplate figures: the answer to "which models are there?". */
function modelList(): Reply {
  return {
    title: '/profit: which machine?',
    lines: ['Give a model (e.g. /profit s19jpro 0.06; "Antminer S19j Pro" works too) or an efficiency in J/TH (e.g. /profit efficiency=25 power=0.06).'],
    sections: [{
      title: 'Models (maker nameplate)',
      fields: ASIC_MODELS.map((m) => ({ label: `${m.name} (${m.id})`, value: `${int(m.hashrateThs)} TH/s · ${int(m.powerW)} W · ${m.efficiencyJPerTh} J/TH`, inline: true })),
    }],
    footer: ['Figures are the makers\' nameplate specs; each model\'s source is shown with its answer.'],
    tone: 'neutral',
    ephemeral: true,
    data: { models: ASIC_MODELS.map((m) => ({ id: m.id, name: m.name, hashrateThs: m.hashrateThs, powerW: m.powerW, efficiencyJPerTh: m.efficiencyJPerTh })) },
  };
}

/** What the verdict calls the machine, saying plainly when the user's efficiency replaced the model's. */
function machineName(model: AsicModel | undefined, efficiency: number, overridden: boolean): string {
  if (!model) return `${efficiency} J/TH`;
  if (!overridden) return `${model.name} (${efficiency} J/TH)`;
  return `${model.name} with your ${efficiency} J/TH (replacing its nameplate ${model.efficiencyJPerTh} J/TH)`;
}

export default defineCommand({
  name: 'profit',
  description: 'Mining profit for an ASIC model or efficiency at your power price, with breakevens',
  options: {
    model: {
      kind: 'choice',
      choices: [...ASIC_MODELS.map((m) => m.id), ALL_MODELS],
      // "Antminer S19j Pro", "whatsminer m60s", "S21-XP" name the same machines as the ids.
      normalise: normaliseModelName,
      label: (id) => findAsic(id)?.name ?? id,
      autocomplete: true,
      example: 's19jpro',
      description: 'ASIC model, e.g. s21, s19jpro, m60s; "all" for every model',
    },
    power: { kind: 'number', min: 0, max: 2, unit: 'USD per kWh', example: '0.06', description: `Power price in USD per kWh (default ${REFERENCE_POWER.value} or the operator's)` },
    hashrate: { kind: 'number', min: 0.001, max: 1e9, unit: 'TH/s', example: 'hashrate=2000', description: 'Your fleet hashrate in TH/s, for daily and monthly totals' },
    efficiency: { kind: 'number', min: 1, max: 500, unit: 'J/TH', example: 'efficiency=21.5', description: 'Efficiency in J/TH, instead of a model' },
  },
  shared: true,
  examples: ['/profit s19jpro 0.06', '/profit all 0.05', '/profit power=0.05', '/profit s21 0.045 hashrate=20000', '/profit efficiency=25 power=0.07'],
  async run(ctx, args) {
    const everyModel = args.model === ALL_MODELS;
    const model = args.model && !everyModel ? findAsic(args.model) : undefined;
    const efficiency = args.efficiency ?? model?.efficiencyJPerTh;
    // A power price alone (or "all") asks about every machine; nothing at all asks which there are.
    const fleet = efficiency === undefined && (everyModel || args.power !== undefined);
    if (efficiency === undefined && !fleet) return modelList();
    const overridden = model !== undefined && args.efficiency !== undefined;
    const power = args.power ?? (ctx.services.benchmarks ?? DEFAULT_BENCHMARKS).referencePowerUsdPerKwh;
    const inputs = await loadHashpriceInputs(ctx.market);
    const footer = footerFor(inputs.provenance, ctx.now(), inputs.tipTimeSec ? { height: inputs.height, timestampSec: inputs.tipTimeSec } : undefined);
    if (efficiency === undefined) return fleetReply(inputs, power, args.power === undefined ? 'reference' : 'you', footer);
    const hp = hashprice(inputs);
    const e = miningEconomics({ efficiencyJPerTh: efficiency, powerUsdPerKwh: power, hashpriceUsdPerPhDay: hp.usdPerPhDay, fleetThs: args.hashrate });
    const machine = machineName(model, efficiency, overridden);
    const perTh: Field[] = [
      { label: 'Revenue /TH/day', value: usd(e.revenuePerThDay), inline: true },
      { label: 'Power cost /TH/day', value: usd(e.powerCostPerThDay), inline: true },
      { label: 'Margin /TH/day', value: `${usd(e.marginPerThDay)} (${pctChange(e.marginPercent, 1)})`, inline: true },
      { label: 'Breakeven power price', value: usdPerKwh(e.breakevenPowerUsdPerKwh, 4), inline: true },
      { label: 'Breakeven hashprice', value: `${usd(e.breakevenHashpriceUsdPerPhDay)}/PH/day`, inline: true },
      { label: 'Hashprice now', value: `${usd(hp.usdPerPhDay)}/PH/day`, inline: true },
    ];
    const sections = [{ title: 'Per TH/s', fields: perTh }];
    let perMachine: ReturnType<typeof machineEconomics> | undefined;
    if (model) {
      // The nameplate hashrate; with the user's efficiency the draw follows it (J/TH × TH/s = W).
      const powerW = overridden ? efficiency * model.hashrateThs : model.powerW;
      perMachine = machineEconomics({ hashrateThs: model.hashrateThs, powerW, powerUsdPerKwh: power, hashpriceUsdPerPhDay: hp.usdPerPhDay });
      sections.push({
        title: `Per machine (${int(model.hashrateThs)} TH/s, ${int(powerW)} W)`,
        fields: [
          { label: 'Revenue /day', value: usd(perMachine.revenuePerDay), inline: true },
          { label: 'Power cost /day', value: usd(perMachine.powerCostPerDay), inline: true },
          { label: 'Margin /day', value: usd(perMachine.marginPerDay), inline: true },
          { label: 'Margin /month', value: usd(perMachine.marginPerMonth), inline: true },
        ],
      });
    }
    if (e.fleet) {
      sections.push({
        title: `Fleet of ${e.fleet.ths.toLocaleString('en-US')} TH/s`,
        fields: [
          { label: 'Daily revenue / cost', value: `${usd(e.fleet.dailyRevenue)} / ${usd(e.fleet.dailyCost)}`, inline: true },
          { label: 'Daily margin', value: usd(e.fleet.dailyMargin), inline: true },
          { label: 'Monthly margin', value: `${usd(e.fleet.monthlyMargin)} (revenue ${usd(e.fleet.monthlyRevenue)}, cost ${usd(e.fleet.monthlyCost)})`, inline: false },
        ],
      });
    }
    const verdict = e.marginPerThDay >= 0
      ? `${machine} at ${usdPerKwh(power)} earns ${usd(e.marginPerThDay)} per TH/s per day after power.`
      : `${machine} at ${usdPerKwh(power)} loses ${usd(-e.marginPerThDay)} per TH/s per day: power costs more than it earns. It breaks even below ${usdPerKwh(e.breakevenPowerUsdPerKwh, 4)} or above ${usd(e.breakevenHashpriceUsdPerPhDay)}/PH/day hashprice.`;
    return {
      title: 'Mining profit',
      lines: [
        verdict,
        'Power only: no pool fees, hosting, cooling overhead or depreciation.',
        ...(model ? [`${overridden ? 'Nameplate' : 'Efficiency'} source: ${model.source}.`] : []),
        ...inputs.warnings.map((w) => `⚠ ${w}`),
      ],
      sections,
      footer,
      tone: e.marginPerThDay >= 0 ? 'up' : 'down',
      data: { machine, model: model?.id ?? null, efficiencyJPerTh: efficiency, efficiencyFrom: args.efficiency !== undefined ? 'you' : 'nameplate', powerUsdPerKwh: power, hashpriceUsdPerPhDay: hp.usdPerPhDay, ...e, perMachine: perMachine ?? null },
    };
  },
});
