/**
 * /forget: deletes everything the bot stores about the asker, after they confirm. The confirm
 * button carries who asked and until when it works, so any process can check a press without
 * stored state; a press by anyone else (buttons in a group are visible to all) changes nothing.
 */
import type { AccountUser, UserData } from '../src/core/services.ts';
import { defineCommand, type CommandContext } from '../src/core/command.ts';
import { errorReply, type Reply } from '../src/core/reply.ts';

/** How long the confirm button works: long enough to read the question, short enough that an old one lying around does nothing. */
const CONFIRM_TTL_SEC = 10 * 60;

/** The button's code: `<asker id>.<unix second it expires>`. */
const CODE = /^([\w-]{1,40})\.(\d{1,12})$/;

const FOOTER = ['Only your own data is deleted; channel digests stay with their channels.'];

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** The stored data in words, largest first; empty when nothing is stored. */
function describeData(d: UserData): string[] {
  const parts: string[] = [];
  if (d.rules) parts.push(`${plural(d.rules, 'alert rule', 'alert rules')} (${d.ruleIds.map((id) => `#${id}`).join(', ')})`);
  if (d.dmDigests) parts.push('your daily digest by direct message');
  if (d.queued) parts.push(`${plural(d.queued, 'message', 'messages')} waiting to be sent to you`);
  if (d.delivered) parts.push(`the record of ${plural(d.delivered, 'message', 'messages')} already sent to you`);
  if (d.settings) parts.push('your /settings (currency, time zone, /profit defaults)');
  if (d.account) parts.push('your user record (your id and display name)');
  return parts;
}

const holdsNothing = (d: UserData) => describeData(d).length === 0 && d.channelDigests === 0;

function channelLine(d: UserData, done: boolean): string[] {
  if (!d.channelDigests) return [];
  const n = plural(d.channelDigests, 'channel digest', 'channel digests');
  return [
    `${n} you set up ${done ? 'keep' : 'will keep'} running for ${d.channelDigests === 1 ? 'its channel' : 'their channels'}; your id ${done ? 'was' : 'is'} taken off ${d.channelDigests === 1 ? 'it' : 'them'}.`,
  ];
}

function question(ctx: CommandContext, user: AccountUser, d: UserData): Reply {
  const atTerminal = ctx.platform === 'console';
  const expires = Math.floor(ctx.now() / 1000) + CONFIRM_TTL_SEC;
  return {
    title: 'Delete your data?',
    lines: [
      `This deletes, for good: ${describeData(d).join('; ') || 'nothing personal'}.`,
      ...channelLine(d, false),
      atTerminal
        ? 'Type /forget confirm to delete it.'
        : `Press Delete my data within ${CONFIRM_TTL_SEC / 60} minutes to delete it (or send /forget confirm).`,
    ],
    sections: [],
    footer: FOOTER,
    tone: 'neutral',
    ephemeral: true,
    ...(atTerminal ? {} : { buttons: [{ label: 'Delete my data', command: 'forget', args: { confirm: `${user.id}.${expires}` } }] }),
    data: { stored: d, expiresAtSec: atTerminal ? null : expires },
  };
}

function done(d: UserData): Reply {
  const counts = [
    { label: 'Alert rules', value: String(d.rules) },
    { label: 'DM digest', value: String(d.dmDigests) },
    { label: 'Messages waiting', value: String(d.queued) },
    { label: 'Sent-message records', value: String(d.delivered) },
    { label: 'Settings', value: String(d.settings) },
    { label: 'User record', value: String(d.account) },
  ];
  return {
    title: holdsNothing(d) ? 'Nothing to delete' : 'Your data is deleted',
    lines: [
      holdsNothing(d) ? 'I had nothing stored about you.' : `Deleted: ${describeData(d).join('; ') || 'nothing personal'}.`,
      ...channelLine(d, true),
      'Using commands again stores nothing until you add an alert, a digest or a setting.',
    ],
    sections: holdsNothing(d) ? [] : [{ title: 'Removed', fields: counts }],
    footer: FOOTER,
    tone: 'neutral',
    ephemeral: true,
    data: {
      removed: {
        rules: d.rules,
        dmDigests: d.dmDigests,
        queued: d.queued,
        delivered: d.delivered,
        settings: d.settings,
        account: d.account,
        channelDigestsKept: d.channelDigests,
      },
    },
  };
}

export default defineCommand({
  name: 'forget',
  description: 'Delete everything the bot stores about you (alerts, DM digest, queued messages)',
  options: {
    confirm: {
      kind: 'text',
      maxLength: 60,
      example: 'confirm',
      description: 'Leave empty to see what is stored first; "confirm" deletes it',
    },
  },
  personal: true,
  needs: () => ({
    account: {
      title: 'Nothing stored here',
      text: 'Commands run from a shell store nothing about you. /forget works where the bot runs with its database (Discord, Telegram or the npm start prompt).',
    },
    user: { title: 'Who are you?', text: 'I cannot tell who is asking here, so there is nothing of yours to delete.' },
  }),
  examples: ['/forget', '/forget confirm'],
  async run(ctx, args) {
    const account = ctx.services.account!;
    const user = ctx.user!;
    const asker = { platform: user.platform, id: user.id };
    const answer = args.confirm?.trim();
    if (answer && answer.toLowerCase() !== 'confirm') {
      const code = CODE.exec(answer);
      if (!code)
        return errorReply(
          '/forget: check the option',
          'Send /forget to see what is stored about you, then /forget confirm (or the button) to delete it.',
        );
      // Checked before anything else: a press by someone else must not even reveal whether it expired.
      if (code[1] !== user.id)
        return errorReply('Not your button', 'Only the person who asked can confirm. Send /forget yourself to delete your own data.');
      if (Number(code[2]) * 1000 < ctx.now())
        return errorReply('This button has expired', `It works for ${CONFIRM_TTL_SEC / 60} minutes. Send /forget again for a new one.`);
    }
    if (!answer) {
      const stored = await account.dataOf(asker);
      if (holdsNothing(stored)) return done(stored);
      return question(ctx, asker, stored);
    }
    return done(await account.forget(asker));
  },
});
