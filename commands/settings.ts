/** /settings: which currency, time zone and /profit defaults (power price, efficiency) apply to you, or to a whole chat. */
import { defineCommand, type CommandContext } from '../src/core/command.ts';
import { CURRENCIES, dateTime, moneyPerKwh, type Currency } from '../src/core/format.ts';
import { MAX_POWER_PER_KWH, type Prefs, type SettingOrigin, type Settings } from '../src/core/prefs.ts';
import { errorReply, type Field, type Reply } from '../src/core/reply.ts';
import { canonicalTimeZone } from '../src/core/local-time.ts';
import type { SettingsScope } from '../src/core/services.ts';

const ORIGIN_WORDS: Record<SettingOrigin, string> = { user: 'yours', chat: "this chat's", default: 'default' };
const ZONE_EXAMPLES = 'Europe/Berlin, America/New_York, Asia/Tokyo or UTC';

function describe(prefs: Prefs, nowMs: number): Field[] {
  const o = prefs.origin;
  return [
    { label: 'Currency', value: `${prefs.currency} (${ORIGIN_WORDS[o.currency]})`, inline: true },
    { label: 'Time zone', value: `${prefs.zone} (${ORIGIN_WORDS[o.zone]}), now ${dateTime(nowMs, prefs.zone)}`, inline: true },
    {
      label: 'Power price for /profit',
      value: prefs.power ? `${moneyPerKwh(prefs.power.perKwh, prefs.power.currency)} (${ORIGIN_WORDS[o.power]})` : '$0.06/kWh (default)',
      inline: true,
    },
    {
      label: 'Efficiency for /profit',
      value:
        prefs.efficiencyJPerTh !== undefined
          ? `${prefs.efficiencyJPerTh} J/TH (${ORIGIN_WORDS[o.efficiencyJPerTh]})`
          : 'none (give a model or efficiency=)',
      inline: true,
    },
  ];
}

function shown(title: string, lines: string[], prefs: Prefs, nowMs: number): Reply {
  return {
    title,
    lines: [
      ...lines,
      'Replies show amounts in this currency and times in this zone; an option given to a command (a what-if) wins over them. /digest and alerts stay in USD and UTC (alert thresholds are USD); /chart plots USD.',
    ],
    sections: [{ title: 'In effect for you here', fields: describe(prefs, nowMs) }],
    footer: ['Change: /settings currency=eur zone=Europe/Berlin power=0.05 efficiency=17.5 · /settings reset · admins: scope=chat'],
    tone: 'neutral',
    ephemeral: true,
    data: {
      currency: prefs.currency,
      zone: prefs.zone,
      power: prefs.power ?? null,
      efficiencyJPerTh: prefs.efficiencyJPerTh ?? null,
      origin: prefs.origin,
    },
  };
}

async function refusal(ctx: CommandContext, scope: SettingsScope, changing: boolean): Promise<Reply | undefined> {
  if (scope === 'user') return undefined;
  if (!ctx.chat || ctx.chat.kind === 'private') {
    return errorReply('/settings: no chat to set', 'In a private chat your own settings apply: use /settings without scope=chat.');
  }
  if (changing && !(await ctx.chat.isAdmin())) {
    return errorReply(
      '/settings: admins only',
      "Only this chat's admins can change its settings (Discord: Manage Server or Manage Channels; Telegram: chat admins). Your own settings: /settings currency=eur",
    );
  }
  return undefined;
}

export default defineCommand({
  name: 'settings',
  description: 'Your currency, time zone and /profit defaults (admins: for the whole chat)',
  options: {
    action: {
      kind: 'choice',
      choices: ['show', 'reset'],
      aliases: { clear: 'reset', default: 'reset', defaults: 'reset', view: 'show', list: 'show' },
      example: 'reset',
      description: 'show (default) or reset to the defaults',
    },
    currency: {
      kind: 'choice',
      choices: CURRENCIES,
      aliases: { '€': 'EUR', euro: 'EUR', $: 'USD', dollar: 'USD', '£': 'GBP', pound: 'GBP', '¥': 'JPY', yen: 'JPY', franc: 'CHF' },
      example: 'currency=eur',
      description: 'Currency of every amount: USD, EUR, GBP, CAD, CHF, AUD or JPY',
    },
    zone: {
      kind: 'text',
      maxLength: 64,
      example: 'zone=Europe/Berlin',
      description: 'IANA time zone of every time shown, e.g. Europe/Berlin',
    },
    power: {
      kind: 'number',
      min: 0,
      max: MAX_POWER_PER_KWH.JPY,
      unit: 'per kWh',
      example: 'power=0.05',
      description: 'Default power price per kWh for /profit, in the currency of these settings',
    },
    efficiency: {
      kind: 'number',
      min: 1,
      max: 500,
      unit: 'J/TH',
      example: 'efficiency=17.5',
      description: 'Default fleet efficiency for /profit, in J/TH',
    },
    scope: {
      kind: 'choice',
      choices: ['me', 'chat'],
      aliases: { user: 'me', mine: 'me', here: 'chat', channel: 'chat', group: 'chat', server: 'chat' },
      example: 'scope=chat',
      description: 'me (default) or chat: the whole chat, admins only',
    },
  },
  // Not `personal`: admins set a group's settings in the group. The replies are ephemeral (Discord shows them to the asker only).
  examples: [
    '/settings currency=eur zone=Europe/Berlin power=0.05 efficiency=17.5',
    '/settings',
    '/settings reset',
    '/settings scope=chat currency=chf',
  ],
  async run(ctx, args) {
    const store = ctx.services.settings;
    if (!store) {
      return errorReply(
        'Settings unavailable',
        'Settings are kept by the running bot (Discord, Telegram or the npm start prompt); here amounts are in USD and times in UTC.',
      );
    }
    const user = ctx.user;
    if (!user || user.platform === 'cli')
      return errorReply('Settings need an account', 'Use /settings on Discord, Telegram or at the npm start prompt.');
    const scope: SettingsScope = args.scope === 'chat' ? 'chat' : 'user';
    const changes = args.currency !== undefined || args.zone !== undefined || args.power !== undefined || args.efficiency !== undefined;
    const action = args.action ?? 'show';
    if (action === 'reset' && changes)
      return errorReply('/settings: reset or set?', '`reset` goes alone: /settings reset, then /settings currency=… to set again.');
    const refused = await refusal(ctx, scope, changes || action === 'reset');
    if (refused) return refused;
    const now = ctx.now();
    const subject =
      scope === 'user'
        ? { platform: user.platform, id: user.id, name: user.name }
        : { platform: user.platform, id: ctx.chat!.id, by: user.id };
    const whose = scope === 'user' ? 'Your settings' : "This chat's settings";
    const inEffect = () => store.prefsFor(user.platform, user.id, ctx.chat?.id);

    if (action === 'reset') {
      const had = await store.reset(scope, subject.platform, subject.id);
      return shown(
        'Settings reset',
        [
          had
            ? `${whose} are cleared: the defaults apply (USD, UTC) unless ${scope === 'user' ? 'this chat sets others' : 'a member sets their own'}.`
            : `${whose} were already the defaults.`,
        ],
        await inEffect(),
        now,
      );
    }
    if (!changes) {
      const stored = await store.get(scope, subject.platform, subject.id);
      const none = Object.keys(stored).length === 0;
      return shown('Settings', none && scope === 'user' ? ['You have set nothing yet.'] : [], await inEffect(), now);
    }

    const patch: Settings = {};
    const problems: string[] = [];
    if (args.currency !== undefined) patch.currency = args.currency as Currency;
    if (args.zone !== undefined) {
      const zone = canonicalTimeZone(args.zone);
      if (zone) patch.zone = zone;
      else problems.push(`"${args.zone.slice(0, 40)}" is not a time zone I know. Use an IANA name such as ${ZONE_EXAMPLES}.`);
    }
    if (args.power !== undefined) {
      // The price is in the currency these settings use: given here, else stored, else the one in effect.
      const currency =
        patch.currency ??
        (await store.get(scope, subject.platform, subject.id)).currency ??
        (scope === 'user' ? (ctx.prefs?.currency ?? 'USD') : 'USD');
      if (args.power > MAX_POWER_PER_KWH[currency])
        problems.push(`\`power\` must be from 0 to ${MAX_POWER_PER_KWH[currency]} ${currency} per kWh, e.g. power=0.05`);
      else patch.power = { perKwh: args.power, currency };
    }
    if (args.efficiency !== undefined) patch.efficiencyJPerTh = args.efficiency;
    if (problems.length) return errorReply('/settings: check the options', problems.join('\n'));
    await store.set(scope, subject, patch, now);
    const changed = [
      patch.currency && `currency ${patch.currency}`,
      patch.zone && `time zone ${patch.zone}`,
      patch.power && `power ${moneyPerKwh(patch.power.perKwh, patch.power.currency)}`,
      patch.efficiencyJPerTh !== undefined && `efficiency ${patch.efficiencyJPerTh} J/TH`,
    ].filter(Boolean);
    return shown('Settings saved', [`${whose}: ${changed.join(', ')}.`], await inEffect(), now);
  },
});
