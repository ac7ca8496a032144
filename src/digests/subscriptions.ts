/**
 * Digest subscriptions: `/digest subscribe | unsubscribe | dm | preview` against the schedule
 * table. A channel or group needs an admin; a DM digest is the asker's own, from anywhere.
 */
import type { Destination } from '../core/delivery.ts';
import type { Reply } from '../core/reply.ts';
import type { DigestCommands, DigestRequest } from '../core/services.ts';
import { errorReply } from '../core/reply.ts';
import type { Store } from '../store/index.ts';
import { canonicalTimeZone, localClock, minutesOf, parseTimeOfDay } from '../core/local-time.ts';
import { digestKey, type BuildDigest } from './schedule.ts';

const ok = (title: string, lines: string[], data?: Record<string, unknown>): Reply => ({
  title,
  lines,
  sections: [],
  footer: ['Daily digest: hashprice, hashrate, difficulty, fees and pools in one message.'],
  tone: 'neutral',
  ...(data ? { data } : {}),
});

export function digestCommands(deps: { store: Store; now(): number; defaultTime: string; buildDigest: BuildDigest }): DigestCommands {
  const { store } = deps;

  function target(req: DigestRequest, dm: boolean): { destination: Destination } | { error: Reply } {
    if (dm || req.chat?.kind === 'private') {
      if (!req.user)
        return { error: errorReply('Digest', 'I cannot tell who you are here, so I cannot send you a DM. Try from Discord or Telegram.') };
      const chatId = req.platform === 'telegram' && req.chat?.kind === 'private' ? req.chat.id : req.user.id;
      return { destination: { platform: req.platform, chatId, kind: 'user' } };
    }
    if (!req.chat) return { error: errorReply('Digest', 'Run this in a channel or group (or use action dm for your direct messages).') };
    return { destination: { platform: req.platform, chatId: req.chat.id, kind: 'channel' } };
  }

  async function requireAdmin(req: DigestRequest, d: Destination): Promise<Reply | undefined> {
    if (d.kind === 'user') return undefined;
    if (await req.chat!.isAdmin()) return undefined;
    return errorReply(
      'Admins only',
      req.platform === 'discord'
        ? 'Only members with Manage Server or Manage Channels can schedule the digest in this channel. You can take it by DM: /digest action:dm'
        : 'Only chat admins can schedule the digest in this group. You can take it by DM: /digest dm',
    );
  }

  async function schedule(req: DigestRequest, dm: boolean): Promise<Reply> {
    const t = target(req, dm);
    if ('error' in t) return t.error;
    if (t.destination.kind === 'channel' && req.chat?.postable === false) {
      // Discord user install: the interaction is answered, but a daily post here would be refused.
      return errorReply(
        'No daily digest in this chat',
        'I am not a member here (you installed me for yourself), so I cannot post in this chat on my own. Take the digest by DM with /digest action:dm, or ask a server admin to add me.',
      );
    }
    const denied = await requireAdmin(req, t.destination);
    if (denied) return denied;
    const time = req.time ? parseTimeOfDay(req.time) : deps.defaultTime;
    if (!time)
      return errorReply(
        '/digest: check the time',
        `The time must be HH:MM on a 24-hour clock, e.g. 14:00 or 7:30 (got "${clip(req.time!)}").`,
      );
    const timezone = canonicalTimeZone(req.timezone ?? 'UTC');
    if (!timezone) {
      return errorReply(
        '/digest: check the time zone',
        `"${clip(req.timezone!)}" is not a time zone I know. Use an IANA name such as UTC, Europe/Berlin, America/New_York or Asia/Tokyo.`,
      );
    }
    const now = deps.now();
    const local = localClock(now, timezone);
    // Subscribing after today's time starts tomorrow rather than posting at once; so does a chat
    // that already had today's digest (it unsubscribed, or moved its time later).
    const alreadyToday = await store.outbox.has(digestKey(t.destination.platform, t.destination.chatId, local.date));
    const startsToday = local.minutes < minutesOf(time) && !alreadyToday;
    const row = await store.schedules.upsert({
      platform: t.destination.platform,
      chatId: t.destination.chatId,
      kind: t.destination.kind,
      time,
      timezone,
      createdBy: req.user?.id ?? null,
      lastDate: startsToday ? null : local.date,
      createdMs: now,
    });
    const where = t.destination.kind === 'user' ? 'to you by direct message' : 'in this chat';
    const lines = [
      `The digest will be posted ${where} every day at ${time} (${timezone}), starting ${startsToday ? 'today' : alreadyToday ? 'tomorrow (today’s was already posted here)' : 'tomorrow'}.`,
    ];
    // An abbreviation or old alias resolves to some zone (EST is America/Panama: UTC−5 all year):
    // say which, so nobody finds out at the first summer-time change.
    const typed = req.timezone?.trim();
    if (typed && typed.toLowerCase() !== timezone.toLowerCase()) {
      lines.push(
        `"${clip(typed)}" is read as ${timezone}. If you meant another place, subscribe again with its IANA name, e.g. America/New_York or Europe/London.`,
      );
    }
    lines.push('Stop it with /digest unsubscribe.');
    return ok('Daily digest scheduled', lines, {
      scheduleId: row.id,
      time,
      timezone,
    });
  }

  return {
    subscribe: (req) => schedule(req, false),
    subscribeDm: (req) => schedule(req, true),
    async unsubscribe(req) {
      const t = target(req, false);
      if ('error' in t) return t.error;
      const denied = await requireAdmin(req, t.destination);
      if (denied) {
        // Not this chat's admin: the only digest they can stop from here is their own DM one.
        if (req.user && (await store.schedules.remove(req.platform, req.user.id)))
          return ok('Daily digest stopped', ['Your direct-message digest is stopped. (Only chat admins can stop this chat’s digest.)']);
        return errorReply(
          'Admins only',
          `Only chat admins can stop the digest in this ${req.platform === 'discord' ? 'channel' : 'group'}, and you have no direct-message digest to stop.`,
        );
      }
      const removed = await store.schedules.remove(t.destination.platform, t.destination.chatId);
      // A user asking in a group may mean their own DM digest.
      const dmRemoved =
        !removed && req.user && t.destination.kind === 'channel' ? await store.schedules.remove(req.platform, req.user.id) : false;
      if (!removed && !dmRemoved) return ok('No digest here', ['There was no daily digest scheduled here.']);
      return ok('Daily digest stopped', [dmRemoved ? 'Your direct-message digest is stopped.' : 'No more daily digests here.']);
    },
    async preview(req) {
      const t = target(req, false);
      if ('error' in t) return t.error;
      const reply = await deps.buildDigest(t.destination);
      const s = await store.schedules.get(t.destination.platform, t.destination.chatId);
      const note =
        s && !s.disabledReason
          ? `Preview: this is posted here daily at ${s.time} (${s.timezone}).`
          : 'Preview: schedule it here with /digest subscribe [HH:MM] [time zone].';
      return { ...reply, lines: [note, ...(reply.lines ?? [])] };
    },
  };
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
