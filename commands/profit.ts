import { defineCommand } from '../src/core/command.ts';
import { pctChange, usd } from '../src/core/format.ts';
import { footerFor } from '../src/core/freshness.ts';
import { ASIC_MODELS, findAsic, hashprice, miningEconomics } from '../src/core/metrics/index.ts';
import type { Field } from '../src/core/reply.ts';
import { loadHashpriceInputs } from '../src/data/hashprice-inputs.ts';

export default defineCommand({
  name: 'profit',
  description: 'Mining profit for an ASIC model or efficiency at your power price, with breakevens',
  options: {
    model: { kind: 'choice', choices: ASIC_MODELS.map((m) => m.id), autocomplete: true, example: 's19jpro', description: 'ASIC model, e.g. s21, s19jpro, m60s' },
    power: { kind: 'number', min: 0, max: 2, unit: 'USD per kWh', example: '0.06', description: 'Power price in USD per kWh (default 0.06)' },
    hashrate: { kind: 'number', min: 0.001, max: 1e9, unit: 'TH/s', example: 'hashrate=2000', description: 'Your fleet hashrate in TH/s, for daily and monthly totals' },
    efficiency: { kind: 'number', min: 1, max: 500, unit: 'J/TH', example: 'efficiency=21.5', description: 'Efficiency in J/TH, instead of a model' },
  },
  shared: true,
  examples: ['/profit s19jpro 0.06', '/profit s21 0.045 hashrate=20000', '/profit efficiency=25 power=0.07'],
  async run(ctx, args) {
    const model = args.model ? findAsic(args.model) : undefined;
    const efficiency = args.efficiency ?? model?.efficiencyJPerTh;
    if (efficiency === undefined) {
      return {
        title: '/profit: which machine?',
        lines: [`Give a model (e.g. /profit s19jpro 0.06) or an efficiency in J/TH (e.g. /profit efficiency=25 power=0.06). Models: ${ASIC_MODELS.map((m) => m.id).join(', ')}.`],
        sections: [],
        footer: [],
        tone: 'error',
        ephemeral: true,
      };
    }
    const power = args.power ?? 0.06;
    const inputs = await loadHashpriceInputs(ctx.market);
    const hp = hashprice(inputs);
    const e = miningEconomics({ efficiencyJPerTh: efficiency, powerUsdPerKwh: power, hashpriceUsdPerPhDay: hp.usdPerPhDay, fleetThs: args.hashrate });
    const machine = args.efficiency !== undefined ? `${efficiency} J/TH` : `${model!.name} (${efficiency} J/TH)`;
    const perTh: Field[] = [
      { label: 'Revenue /TH/day', value: usd(e.revenuePerThDay), inline: true },
      { label: 'Power cost /TH/day', value: usd(e.powerCostPerThDay), inline: true },
      { label: 'Margin /TH/day', value: `${usd(e.marginPerThDay)} (${pctChange(e.marginPercent, 1)})`, inline: true },
      { label: 'Breakeven power price', value: `$${e.breakevenPowerUsdPerKwh.toFixed(4)}/kWh`, inline: true },
      { label: 'Breakeven hashprice', value: `${usd(e.breakevenHashpriceUsdPerPhDay)}/PH/day`, inline: true },
      { label: 'Hashprice now', value: `${usd(hp.usdPerPhDay)}/PH/day`, inline: true },
    ];
    const sections = [{ title: 'Per TH/s', fields: perTh }];
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
      ? `${machine} at $${power}/kWh earns ${usd(e.marginPerThDay)} per TH/s per day after power.`
      : `${machine} at $${power}/kWh loses ${usd(-e.marginPerThDay)} per TH/s per day: power costs more than it earns. It breaks even below $${e.breakevenPowerUsdPerKwh.toFixed(4)}/kWh or above ${usd(e.breakevenHashpriceUsdPerPhDay)}/PH/day hashprice.`;
    return {
      title: 'Mining profit',
      lines: [
        verdict,
        'Power only: no pool fees, hosting, cooling overhead or depreciation.',
        ...(model && args.efficiency === undefined ? [`Efficiency source: ${model.source}.`] : []),
        ...inputs.warnings.map((w) => `⚠ ${w}`),
      ],
      sections,
      footer: footerFor(inputs.provenance, ctx.now(), inputs.tipTimeSec ? { height: inputs.height, timestampSec: inputs.tipTimeSec } : undefined),
      tone: e.marginPerThDay >= 0 ? 'up' : 'down',
      data: { machine, efficiencyJPerTh: efficiency, powerUsdPerKwh: power, hashpriceUsdPerPhDay: hp.usdPerPhDay, ...e },
    };
  },
});
