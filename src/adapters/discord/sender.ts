/**
 * Proactive posts (alerts, digests) to a channel, or to a user by DM. A send never throws: Discord's
 * answer is mapped to retry-later, give-up-on-this-destination, or delivered.
 */
import { DiscordAPIError, RateLimitError, Routes, type REST, type RawFile } from 'discord.js';
import type { Destination, SendOptions, SendResult, Sender } from '../../core/delivery.ts';
import type { Reply } from '../../core/reply.ts';
import type { Logger } from '../../logger.ts';
import { renderDiscord } from './format.ts';
import { describe } from './interactions.ts';

/**
 * Discord error codes that mean this destination will never accept our messages:
 * 10003 unknown channel, 10013 unknown user, 50001 missing access, 50007 cannot send messages to
 * this user (DMs closed or no shared server), 50013 missing permissions.
 */
const PERMANENT_CODES = new Set([10003, 10013, 50001, 50007, 50013]);

function classifySendError(err: unknown): Extract<SendResult, { ok: false }> {
  if (err instanceof RateLimitError) {
    return { ok: false, permanent: false, reason: `rate limited on ${err.route}`, retryAfterMs: err.retryAfter };
  }
  if (err instanceof DiscordAPIError) {
    const code = typeof err.code === 'number' ? err.code : Number(err.code);
    const permanent = PERMANENT_CODES.has(code) || err.status === 403;
    return { ok: false, permanent, reason: `Discord ${err.status} (${code}): ${err.message}` };
  }
  return { ok: false, permanent: false, reason: describe(err) };
}

export function createDiscordSender(rest: REST, logger: Logger): Sender {
  const dmChannels = new Map<string, string>();

  async function channelFor(destination: Destination): Promise<string> {
    if (destination.kind === 'channel') return destination.chatId;
    const known = dmChannels.get(destination.chatId);
    if (known) return known;
    const channel = (await rest.post(Routes.userChannels(), { body: { recipient_id: destination.chatId } })) as { id: string };
    dmChannels.set(destination.chatId, channel.id);
    return channel.id;
  }

  return {
    platform: 'discord',
    async send(destination: Destination, reply: Reply, options?: SendOptions): Promise<SendResult> {
      // Before each REST call: a lost lease (see SendOptions) sends nothing more. discord.js's own
      // rate-limit queue may still hold a call that passed this check; that one is the in-flight send.
      const notLeading = (): SendResult | undefined =>
        options?.mayAct && !options.mayAct()
          ? { ok: false, permanent: false, reason: 'not sent: this instance stopped leading' }
          : undefined;
      try {
        const before = notLeading();
        if (before) return before;
        const channelId = await channelFor(destination);
        const between = notLeading();
        if (between) return between;
        const { embeds, components, files } = renderDiscord(reply);
        const raw: RawFile[] = files.map((f) => ({ name: f.name ?? 'chart.png', data: f.attachment as Buffer, contentType: 'image/png' }));
        const body = {
          embeds,
          components,
          allowed_mentions: { parse: [] },
          attachments: files.map((f, i) => ({ id: i, filename: f.name, description: f.description ?? undefined })),
        };
        const message = (await rest.post(Routes.channelMessages(channelId), { body, files: raw })) as { id: string };
        return { ok: true, messageIds: [message.id] };
      } catch (err) {
        const result = classifySendError(err);
        logger.warn(
          { destination: { kind: destination.kind, chatId: destination.chatId }, reason: result.reason, permanent: result.permanent },
          'discord send failed',
        );
        return result;
      }
    },
  };
}
