/**
 * /digest: the daily digest on demand, and its subscriptions (subscribe, unsubscribe, preview, dm).
 * Building the digest is src/digests/build.ts; scheduling it, src/digests/.
 */
import { defineCommand, type CommandContext } from '../src/core/command.ts';
import type { DeliveryPlatform } from '../src/core/delivery.ts';
import { canonicalTimeZone, parseTimeOfDay } from '../src/core/local-time.ts';
import { errorReply, type Reply } from '../src/core/reply.ts';
import { buildDigest } from '../src/digests/build.ts';

const DIGEST_ACTIONS = ['show', 'subscribe', 'unsubscribe', 'preview', 'dm'] as const;

const digestOptions = {
  action: {
    kind: 'choice',
    choices: DIGEST_ACTIONS,
    aliases: { stop: 'unsubscribe', start: 'subscribe', schedule: 'subscribe' },
    example: 'subscribe',
    description: 'show (default), subscribe, unsubscribe, preview, or dm (daily by DM)',
  },
  // Longer than HH:MM on purpose: "/digest subscribe Europe/Berlin" puts the zone here, and
  // "14:00:00" deserves the HH:MM message rather than a length error.
  time: {
    kind: 'text',
    maxLength: 64,
    accepts: 'a time of day like 07:30 or 7:30 (24 h), optionally followed by a time zone such as Europe/Berlin',
    example: '07:30',
    description: 'Daily time for subscribe/dm, like 07:30 (24 h; default 14:00)',
  },
  timezone: {
    kind: 'text',
    maxLength: 64,
    accepts: 'an IANA time zone such as Europe/Berlin, America/New_York or UTC',
    example: 'Europe/Berlin',
    description: 'IANA time zone for the time (default UTC)',
  },
} as const;

/** Runs one action; `show` builds the digest shown on demand (a stand-in in tests). */
export async function digestAction(
  ctx: CommandContext,
  args: { action?: string; time?: string; timezone?: string },
  show: () => Promise<Reply>,
): Promise<Reply> {
  const action = args.action ?? 'show';
  if (action === 'show') return show();
  const service = ctx.services.digests!;
  const platform = ctx.user?.platform ?? ctx.platform;
  // The terminal bot has a sender too (it prints at the prompt), so the digest can be tried there;
  // a one-shot shell command has nowhere to post it later.
  if (platform !== 'discord' && platform !== 'telegram' && platform !== 'console') {
    return errorReply(
      'Digest subscriptions',
      'Daily digests are posted on Discord or Telegram, or at the prompt of the running terminal bot (npm start); subscribe there.',
    );
  }
  // Words in the other order ("/digest subscribe Europe/Berlin", "… Asia/Tokyo 7:30") read as meant.
  let { time, timezone } = args;
  const isZone = (w: string | undefined) => w !== undefined && parseTimeOfDay(w) === undefined && canonicalTimeZone(w) !== undefined;
  if (isZone(time) && (timezone === undefined || parseTimeOfDay(timezone) !== undefined)) [time, timezone] = [timezone, time];
  const req = {
    platform: platform as DeliveryPlatform,
    user: ctx.user ? { id: ctx.user.id, name: ctx.user.name } : undefined,
    chat: ctx.chat,
    time,
    timezone,
  };
  switch (action) {
    case 'subscribe':
      return service.subscribe(req);
    case 'unsubscribe':
      return service.unsubscribe(req);
    case 'dm':
      return service.subscribeDm(req);
    default:
      return service.preview(req);
  }
}

export default defineCommand({
  name: 'digest',
  description: 'The daily mining digest: headline numbers, their changes and what stands out',
  options: digestOptions,
  needs: ({ action = 'show' }) =>
    action === 'show'
      ? undefined
      : {
          digests: {
            title: 'Digest subscriptions unavailable',
            text: 'Scheduling needs the bot running with its database; /digest alone still shows the digest.',
          },
        },
  examples: ['/digest', '/digest subscribe 14:00 Europe/Berlin', '/digest dm 08:00 UTC', '/digest unsubscribe', '/digest preview'],
  run: (ctx, args) => digestAction(ctx, args, () => buildDigest(ctx)),
});
