/** /profit: whether an ASIC model (or an efficiency) mines at a profit at your power price, with its breakevens. */
import { defineCommand } from '../src/core/command.ts';
import { int, moneyPerKwh, pctChange } from '../src/core/format.ts';
import { attribution } from '../src/core/freshness.ts';
import {
  ASIC_MODELS,
  findAsic,
  hashprice,
  machineEconomics,
  miningEconomics,
  normaliseModelName,
  type AsicModel,
} from '../src/core/metrics/index.ts';
import { DEFAULT_BENCHMARKS, REFERENCE_POWER } from '../src/core/metrics/benchmarks.ts';
import { fleetEconomics, fleetRowField, fleetSummary, kwhPrice } from '../src/core/metrics/fleet.ts';
import { errorReply, type Field, type Reply } from '../src/core/reply.ts';
import { loadHashpriceInputs, type HashpriceInputs } from '../src/market-data/hashprice-inputs.ts';
import { loadFx, type Fx } from '../src/market-data/fx.ts';
import { DEFAULT_PREFS, MAX_POWER_PER_KWH, type SettingOrigin } from '../src/core/prefs.ts';

/** The model choice that asks for every model at once ("/profit all 0.05"). */
const ALL_MODELS = 'all';

/**
 * Every model at one power price, most efficient first: which machines still earn more than their
 * power costs. One field per model (17 models and the section title fit Discord's 25 fields).
 */
function fleetReply(
  inputs: HashpriceInputs,
  power: number,
  powerFrom: 'you' | 'reference',
  sourced: Pick<Reply, 'footer' | 'provenance'>,
  fx: Fx,
): Reply {
  const amount = fx.fromUsd;
  const perKwh = fx.perKwhFromUsd;
  const fmt = { amount, perKwh: fx.currency === 'USD' ? kwhPrice : perKwh };
  const hp = hashprice(inputs);
  const f = fleetEconomics({ powerUsdPerKwh: power, hashpriceUsdPerPhDay: hp.usdPerPhDay });
  const revenue = f.rows[0]!.economics.revenuePerThDay;
  return {
    title: `Every model at ${fmt.perKwh(power)}`,
    lines: [
      fleetSummary(f, fmt),
      `Each TH/s earns ${amount(revenue)} a day at today's ${amount(hp.usdPerPhDay)}/PH/day; rows show what is left after power (the power cost in brackets) and the power price where each breaks even. ⚠ marks a loss.`,
      ...(powerFrom === 'reference'
        ? [`Power price: the reference ${perKwh(power)} (${REFERENCE_POWER.citation}); give yours with power=.`]
        : []),
      ...fx.lines,
      "Power only: no pool fees, hosting, cooling overhead or depreciation. Efficiencies are makers' nameplate specs (/profit <model> shows each source).",
      ...inputs.warnings.map((w) => `⚠ ${w}`),
    ],
    sections: [
      { title: 'Margin per TH/s per day, most efficient first', fields: f.rows.map((r) => ({ ...fleetRowField(r, fmt), inline: false })) },
    ],
    ...sourced,
    tone: f.underWater > f.total / 2 ? 'down' : 'neutral',
    data: {
      powerUsdPerKwh: power,
      powerFrom,
      currency: fx.currency,
      perUsd: fx.perUsd,
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
    lines: [
      'Give a model (e.g. /profit s19jpro 0.06; "Antminer S19j Pro" works too) or an efficiency in J/TH (e.g. /profit efficiency=25 power=0.06). /settings efficiency=17.5 keeps one for next time.',
    ],
    sections: [
      {
        title: 'Models (maker nameplate)',
        fields: ASIC_MODELS.map((m) => ({
          label: `${m.name} (${m.id})`,
          value: `${int(m.hashrateThs)} TH/s · ${int(m.powerW)} W · ${m.efficiencyJPerTh} J/TH`,
          inline: true,
        })),
      },
    ],
    footer: ["Figures are the makers' nameplate specs; each model's source is shown with its answer."],
    tone: 'neutral',
    ephemeral: true,
    data: {
      models: ASIC_MODELS.map((m) => ({
        id: m.id,
        name: m.name,
        hashrateThs: m.hashrateThs,
        powerW: m.powerW,
        efficiencyJPerTh: m.efficiencyJPerTh,
      })),
    },
  };
}

/** What the verdict calls the machine, saying plainly when the user's efficiency replaced the model's. */
function machineName(model: AsicModel | undefined, efficiency: number, overridden: boolean): string {
  if (!model) return `${efficiency} J/TH`;
  if (!overridden) return `${model.name} (${efficiency} J/TH)`;
  return `${model.name} with your ${efficiency} J/TH (replacing its nameplate ${model.efficiencyJPerTh} J/TH)`;
}

const whose = (origin: SettingOrigin) => (origin === 'chat' ? "this chat's /settings" : 'your /settings');

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
    power: {
      kind: 'number',
      min: 0,
      max: MAX_POWER_PER_KWH.JPY,
      unit: 'per kWh',
      example: '0.06',
      description: `Power price per kWh in your /settings currency (USD unless set; default ${REFERENCE_POWER.value} USD)`,
    },
    hashrate: {
      kind: 'number',
      min: 0.001,
      max: 1e9,
      unit: 'TH/s',
      example: 'hashrate=2000',
      description: 'Your fleet hashrate in TH/s, for daily and monthly totals',
    },
    efficiency: {
      kind: 'number',
      min: 1,
      max: 500,
      unit: 'J/TH',
      example: 'efficiency=21.5',
      description: 'Efficiency in J/TH, instead of a model',
    },
  },
  shared: true,
  examples: [
    '/profit s19jpro 0.06',
    '/profit all 0.05',
    '/profit power=0.05',
    '/profit s21 0.045 hashrate=20000',
    '/profit efficiency=25 power=0.07',
  ],
  async run(ctx, args) {
    const everyModel = args.model === ALL_MODELS;
    const model = args.model && !everyModel ? findAsic(args.model) : undefined;
    const prefs = ctx.prefs ?? DEFAULT_PREFS;
    // Options beat /settings: a model, "all" or efficiency= given here wins over the stored efficiency.
    const efficiency = args.efficiency ?? model?.efficiencyJPerTh ?? (everyModel ? undefined : prefs.efficiencyJPerTh);
    // A power price alone (or "all") asks about every machine; nothing at all asks which there are.
    const fleet = efficiency === undefined && (everyModel || args.power !== undefined);
    if (efficiency === undefined && !fleet) return modelList();
    const overridden = model !== undefined && args.efficiency !== undefined;
    const inputs = await loadHashpriceInputs(ctx.market);
    const fx = await loadFx(ctx.market, prefs.currency, ctx.now());
    const cur = fx.currency;
    if (args.power !== undefined && args.power > MAX_POWER_PER_KWH[cur]) {
      return errorReply(
        '/profit: check the options',
        `\`power\` must be from 0 to ${MAX_POWER_PER_KWH[cur]} ${cur} per kWh, e.g. power=0.06`,
      );
    }
    // power= is in the reply's currency; a stored price in its own; both become USD through the one quote.
    const storedFx = prefs.power && prefs.power.currency !== cur ? await loadFx(ctx.market, prefs.power.currency, ctx.now()) : fx;
    const storedPower = prefs.power && storedFx.currency === prefs.power.currency ? prefs.power.perKwh / storedFx.perUsd : undefined;
    const reference = (ctx.services.benchmarks ?? DEFAULT_BENCHMARKS).referencePowerUsdPerKwh;
    const power = args.power !== undefined ? args.power / fx.perUsd : (storedPower ?? reference);
    const powerFrom =
      args.power !== undefined
        ? undefined
        : storedPower !== undefined
          ? whose(prefs.origin.power)
          : prefs.power
            ? `the default (no ${prefs.power.currency} price to convert your setting)`
            : undefined;
    const amount = fx.fromUsd;
    const perKwh = fx.perKwhFromUsd;
    const powerShown = args.power !== undefined ? moneyPerKwh(args.power, cur) : perKwh(power);
    const sourced = attribution(
      inputs.provenance,
      ctx.now(),
      inputs.tipTimeSec ? { height: inputs.height, timestampSec: inputs.tipTimeSec } : undefined,
    );
    if (efficiency === undefined)
      return fleetReply(inputs, power, args.power === undefined ? (storedPower === undefined ? 'reference' : 'you') : 'you', sourced, fx);
    const hp = hashprice(inputs);
    const e = miningEconomics({
      efficiencyJPerTh: efficiency,
      powerUsdPerKwh: power,
      hashpriceUsdPerPhDay: hp.usdPerPhDay,
      fleetThs: args.hashrate,
    });
    const machine = machineName(model, efficiency, overridden);
    const perTh: Field[] = [
      { label: 'Revenue /TH/day', value: amount(e.revenuePerThDay), inline: true },
      { label: 'Power cost /TH/day', value: amount(e.powerCostPerThDay), inline: true },
      { label: 'Margin /TH/day', value: `${amount(e.marginPerThDay)} (${pctChange(e.marginPercent, 1)})`, inline: true },
      { label: 'Breakeven power price', value: perKwh(e.breakevenPowerUsdPerKwh, 4), inline: true },
      { label: 'Breakeven hashprice', value: `${amount(e.breakevenHashpriceUsdPerPhDay)}/PH/day`, inline: true },
      { label: 'Hashprice now', value: `${amount(hp.usdPerPhDay)}/PH/day`, inline: true },
    ];
    const sections = [{ title: 'Per TH/s', fields: perTh }];
    let perMachine: ReturnType<typeof machineEconomics> | undefined;
    if (model) {
      // The nameplate hashrate; with the user's efficiency the draw follows it (J/TH × TH/s = W).
      const powerW = overridden ? efficiency * model.hashrateThs : model.powerW;
      perMachine = machineEconomics({
        hashrateThs: model.hashrateThs,
        powerW,
        powerUsdPerKwh: power,
        hashpriceUsdPerPhDay: hp.usdPerPhDay,
      });
      sections.push({
        title: `Per machine (${int(model.hashrateThs)} TH/s, ${int(powerW)} W)`,
        fields: [
          { label: 'Revenue /day', value: amount(perMachine.revenuePerDay), inline: true },
          { label: 'Power cost /day', value: amount(perMachine.powerCostPerDay), inline: true },
          { label: 'Margin /day', value: amount(perMachine.marginPerDay), inline: true },
          { label: 'Margin /month', value: amount(perMachine.marginPerMonth), inline: true },
        ],
      });
    }
    if (e.fleet) {
      sections.push({
        title: `Fleet of ${e.fleet.ths.toLocaleString('en-US')} TH/s`,
        fields: [
          { label: 'Daily revenue / cost', value: `${amount(e.fleet.dailyRevenue)} / ${amount(e.fleet.dailyCost)}`, inline: true },
          { label: 'Daily margin', value: amount(e.fleet.dailyMargin), inline: true },
          {
            label: 'Monthly margin',
            value: `${amount(e.fleet.monthlyMargin)} (revenue ${amount(e.fleet.monthlyRevenue)}, cost ${amount(e.fleet.monthlyCost)})`,
            inline: false,
          },
        ],
      });
    }
    const verdict =
      e.marginPerThDay >= 0
        ? `${machine} at ${powerShown} earns ${amount(e.marginPerThDay)} per TH/s per day after power.`
        : `${machine} at ${powerShown} loses ${amount(-e.marginPerThDay)} per TH/s per day: power costs more than it earns. It breaks even below ${perKwh(e.breakevenPowerUsdPerKwh, 4)} or above ${amount(e.breakevenHashpriceUsdPerPhDay)}/PH/day hashprice.`;
    return {
      title: 'Mining profit',
      lines: [
        verdict,
        'Power only: no pool fees, hosting, cooling overhead or depreciation.',
        ...(model ? [`${overridden ? 'Nameplate' : 'Efficiency'} source: ${model.source}.`] : []),
        ...(!model && args.efficiency === undefined ? [`Efficiency from ${whose(prefs.origin.efficiencyJPerTh)}.`] : []),
        ...(powerFrom ? [`Power price from ${powerFrom}.`] : []),
        ...fx.lines,
        ...inputs.warnings.map((w) => `⚠ ${w}`),
      ],
      sections,
      ...sourced,
      tone: e.marginPerThDay >= 0 ? 'up' : 'down',
      data: {
        machine,
        model: model?.id ?? null,
        efficiencyJPerTh: efficiency,
        efficiencyFrom: args.efficiency !== undefined ? 'you' : model ? 'nameplate' : 'settings',
        powerUsdPerKwh: power,
        hashpriceUsdPerPhDay: hp.usdPerPhDay,
        ...e,
        perMachine: perMachine ?? null,
        currency: cur,
        perUsd: fx.perUsd,
      },
    };
  },
});
