import { defineCommand } from '../src/core/command.ts';
import { moneyPerKwh, pctChange } from '../src/core/format.ts';
import { footerFor } from '../src/core/freshness.ts';
import { ASIC_MODELS, findAsic, hashprice, miningEconomics } from '../src/core/metrics/index.ts';
import { errorReply, type Field } from '../src/core/reply.ts';
import { loadHashpriceInputs } from '../src/data/hashprice-inputs.ts';
import { loadFx } from '../src/data/fx.ts';
import { DEFAULT_PREFS, MAX_POWER_PER_KWH, type SettingOrigin } from '../src/core/prefs.ts';

const whose = (origin: SettingOrigin) => (origin === 'chat' ? "this chat's /settings" : 'your /settings');

export default defineCommand({
  name: 'profit',
  description: 'Mining profit for an ASIC model or efficiency at your power price, with breakevens',
  options: {
    model: { kind: 'choice', choices: ASIC_MODELS.map((m) => m.id), autocomplete: true, example: 's19jpro', description: 'ASIC model, e.g. s21, s19jpro, m60s' },
    power: { kind: 'number', min: 0, max: MAX_POWER_PER_KWH.JPY, unit: 'per kWh', example: '0.06', description: 'Power price per kWh in your /settings currency (USD unless set; default 0.06 USD)' },
    hashrate: { kind: 'number', min: 0.001, max: 1e9, unit: 'TH/s', example: 'hashrate=2000', description: 'Your fleet hashrate in TH/s, for daily and monthly totals' },
    efficiency: { kind: 'number', min: 1, max: 500, unit: 'J/TH', example: 'efficiency=21.5', description: 'Efficiency in J/TH, instead of a model' },
  },
  examples: ['/profit s19jpro 0.06', '/profit s21 0.045 hashrate=20000', '/profit efficiency=25 power=0.07'],
  async run(ctx, args) {
    const model = args.model ? findAsic(args.model) : undefined;
    const prefs = ctx.prefs ?? DEFAULT_PREFS;
    // Options beat /settings: a model or efficiency= given here wins over the stored efficiency.
    const efficiency = args.efficiency ?? model?.efficiencyJPerTh ?? prefs.efficiencyJPerTh;
    if (efficiency === undefined) {
      return {
        title: '/profit: which machine?',
        lines: [`Give a model (e.g. /profit s19jpro 0.06) or an efficiency in J/TH (e.g. /profit efficiency=25 power=0.06). Models: ${ASIC_MODELS.map((m) => m.id).join(', ')}. /settings efficiency=17.5 keeps one for next time.`],
        sections: [],
        footer: [],
        tone: 'error',
        ephemeral: true,
      };
    }
    const inputs = await loadHashpriceInputs(ctx.market);
    const fx = await loadFx(ctx.market, prefs.currency, ctx.now());
    const cur = fx.currency;
    if (args.power !== undefined && args.power > MAX_POWER_PER_KWH[cur]) {
      return errorReply('/profit: check the options', `\`power\` must be from 0 to ${MAX_POWER_PER_KWH[cur]} ${cur} per kWh, e.g. power=0.06`);
    }
    // power= is in the reply's currency; a stored price in its own; both become USD through the one quote.
    const storedFx = prefs.power && prefs.power.currency !== cur ? await loadFx(ctx.market, prefs.power.currency, ctx.now()) : fx;
    const storedPower = prefs.power && storedFx.currency === prefs.power.currency ? prefs.power.perKwh / storedFx.perUsd : undefined;
    const power = args.power !== undefined ? args.power / fx.perUsd : storedPower ?? 0.06;
    const powerFrom = args.power !== undefined ? undefined : storedPower !== undefined ? whose(prefs.origin.power) : prefs.power ? `the default (no ${prefs.power.currency} price to convert your setting)` : undefined;
    const hp = hashprice(inputs);
    const e = miningEconomics({ efficiencyJPerTh: efficiency, powerUsdPerKwh: power, hashpriceUsdPerPhDay: hp.usdPerPhDay, fleetThs: args.hashrate });
    const machine = model && args.efficiency === undefined ? `${model.name} (${efficiency} J/TH)` : `${efficiency} J/TH`;
    const amount = fx.fromUsd;
    const perKwh = fx.perKwhFromUsd;
    const powerShown = args.power !== undefined ? moneyPerKwh(args.power, cur) : perKwh(power);
    const perTh: Field[] = [
      { label: 'Revenue /TH/day', value: amount(e.revenuePerThDay), inline: true },
      { label: 'Power cost /TH/day', value: amount(e.powerCostPerThDay), inline: true },
      { label: 'Margin /TH/day', value: `${amount(e.marginPerThDay)} (${pctChange(e.marginPercent, 1)})`, inline: true },
      { label: 'Breakeven power price', value: perKwh(e.breakevenPowerUsdPerKwh, 4), inline: true },
      { label: 'Breakeven hashprice', value: `${amount(e.breakevenHashpriceUsdPerPhDay)}/PH/day`, inline: true },
      { label: 'Hashprice now', value: `${amount(hp.usdPerPhDay)}/PH/day`, inline: true },
    ];
    const sections = [{ title: 'Per TH/s', fields: perTh }];
    if (e.fleet) {
      sections.push({
        title: `Fleet of ${e.fleet.ths.toLocaleString('en-US')} TH/s`,
        fields: [
          { label: 'Daily revenue / cost', value: `${amount(e.fleet.dailyRevenue)} / ${amount(e.fleet.dailyCost)}`, inline: true },
          { label: 'Daily margin', value: amount(e.fleet.dailyMargin), inline: true },
          { label: 'Monthly margin', value: `${amount(e.fleet.monthlyMargin)} (revenue ${amount(e.fleet.monthlyRevenue)}, cost ${amount(e.fleet.monthlyCost)})`, inline: false },
        ],
      });
    }
    const verdict = e.marginPerThDay >= 0
      ? `${machine} at ${powerShown} earns ${amount(e.marginPerThDay)} per TH/s per day after power.`
      : `${machine} at ${powerShown} loses ${amount(-e.marginPerThDay)} per TH/s per day: power costs more than it earns. It breaks even below ${perKwh(e.breakevenPowerUsdPerKwh, 4)} or above ${amount(e.breakevenHashpriceUsdPerPhDay)}/PH/day hashprice.`;
    return {
      title: 'Mining profit',
      lines: [
        verdict,
        'Power only: no pool fees, hosting, cooling overhead or depreciation.',
        ...(model && args.efficiency === undefined ? [`Efficiency source: ${model.source}.`] : []),
        ...(!model && args.efficiency === undefined ? [`Efficiency from ${whose(prefs.origin.efficiencyJPerTh)}.`] : []),
        ...(powerFrom ? [`Power price from ${powerFrom}.`] : []),
        ...fx.lines,
        ...inputs.warnings.map((w) => `⚠ ${w}`),
      ],
      sections,
      footer: footerFor(inputs.provenance, ctx.now(), inputs.tipTimeSec ? { height: inputs.height, timestampSec: inputs.tipTimeSec } : undefined),
      tone: e.marginPerThDay >= 0 ? 'up' : 'down',
      data: { machine, efficiencyJPerTh: efficiency, powerUsdPerKwh: power, hashpriceUsdPerPhDay: hp.usdPerPhDay, ...e, currency: cur, perUsd: fx.perUsd },
    };
  },
});
