/** /alert: your personal alerts by DM (add, list, remove, pause, resume): thresholds, changes over time, retargets, ribbons, pools. */
import { defineCommand } from '../src/core/command.ts';
import { errorReply } from '../src/core/reply.ts';
import { ADD_EXAMPLES } from '../src/alerts/parse.ts';

export default defineCommand({
  name: 'alert',
  description: 'Personal alerts by direct message: thresholds, changes over time, retargets, ribbons, pools',
  options: {
    action: {
      kind: 'choice',
      choices: ['add', 'list', 'remove', 'pause', 'resume'],
      aliases: { delete: 'remove', rm: 'remove', ls: 'list', new: 'add' },
      example: 'add',
      description: 'What to do (default: list)',
    },
    subject: {
      kind: 'text',
      maxLength: 40,
      example: 'hashprice',
      description: 'add: metric or event (hashprice, price, hashrate, retarget…); else the alert id',
    },
    condition: { kind: 'text', maxLength: 20, example: 'below', description: 'above, below, change, up, down (or low for hashprice lows)' },
    value: { kind: 'text', maxLength: 20, example: '40', description: 'Threshold (e.g. 40, 100k, 600 EH/s, 150T) or change (e.g. -10%)' },
    window: { kind: 'text', maxLength: 10, example: '7d', description: 'Change window in days, e.g. 7d or 30d' },
    cooldown: {
      kind: 'integer',
      min: 0,
      max: 10_080,
      unit: 'minutes',
      example: 'cooldown=60',
      description: 'Least time between two alerts of this rule (default 60 min)',
    },
  },
  personal: true,
  needs: () => ({
    alerts: { title: 'Alerts unavailable', text: 'Alerts need the bot running with its database; they are not available in this mode.' },
    user: {
      title: 'Alerts need an account',
      text: 'Alerts are sent by direct message on Discord or Telegram (or to the running terminal bot); use /alert there.',
    },
  }),
  examples: [...ADD_EXAMPLES.slice(0, 2), '/alert list', '/alert remove 3', '/alert pause 3', '/alert resume 3'],
  async run(ctx, args) {
    const service = ctx.services.alerts!;
    const user = ctx.user!;
    const who = { platform: user.platform, id: user.id, name: user.name };
    const action = args.action ?? 'list';
    if (action === 'list') return service.list(who);
    if (action === 'add') {
      return service.add(who, { subject: args.subject, condition: args.condition, value: args.value, window: args.window }, args.cooldown);
    }
    const id = /^#?(\d{1,12})$/.exec(args.subject?.trim() ?? '');
    if (!id) return errorReply(`/alert ${action}: which alert?`, `Give the alert id, e.g. /alert ${action} 3 (/alert list shows them).`);
    const ruleId = Number(id[1]);
    if (action === 'remove') return service.remove(who, ruleId);
    if (action === 'pause') return service.pause(who, ruleId);
    return service.resume(who, ruleId);
  },
});
