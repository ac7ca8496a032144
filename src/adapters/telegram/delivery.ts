/**
 * Every message the bot sends to Telegram goes through here, whether it answers a command or is an
 * alert: pacing, "retry after" waits, blocked chats, migrated groups, long-text splitting and chart
 * captions are handled once.
 */
import type { Logger } from 'pino';
import { TelegramError, type Telegram } from 'telegraf';
import type { SendResult } from '../../core/delivery.ts';
import type { Reply } from '../../core/reply.ts';
import { CAPTION_LIMIT, TEXT_LIMIT, chartCaption, renderTelegram, splitHtml } from './format.ts';
import type { Pacer } from './pacer.ts';

type Failure = Extract<SendResult, { ok: false }>;
type Attempt<T> = { ok: true; value: T } | { ok: false; failure: Failure; description: string };

export interface DeliveryOptions {
  /** Longer "retry after" requests are handed back to the caller (the outbox) instead of waited out. */
  maxRetryWaitMs: number;
  maxAttempts: number;
}

const DEFAULTS: DeliveryOptions = { maxRetryWaitMs: 30_000, maxAttempts: 4 };

// 403s (blocked, kicked, deactivated) and a vanished chat mean: stop sending there.
const GONE = /chat not found|bot was kicked|user is deactivated|not enough rights to send|have no rights to send/i;

interface Target {
  id: string;
  migratedTo?: string;
  /** See SendOptions.mayAct: checked after the pacer's wait, which can be long, before each call. */
  mayAct?: () => boolean;
}

const NOT_LEADING = 'not sent: this instance stopped leading while the message waited';

const chatRef = (id: string): number | string => (/^-?\d+$/.test(id) ? Number(id) : id);

export class TelegramDelivery {
  private readonly options: DeliveryOptions;

  constructor(
    private readonly telegram: Telegram,
    private readonly pacer: Pacer,
    private readonly log: Logger,
    options: Partial<DeliveryOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Sends a whole Reply; `replyTo` threads the answer under the asking message (useful in groups). */
  async send(chatId: string, reply: Reply, replyTo?: number, mayAct?: () => boolean): Promise<SendResult> {
    const { html, keyboard } = renderTelegram(reply);
    const target: Target = mayAct ? { id: chatId, mayAct } : { id: chatId };
    const ids: string[] = [];
    const threading = replyTo ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {};
    // A photo goes as multipart, where telegraf silently drops object fields it does not know
    // (reply_parameters among them): send that one as the JSON string the Bot API also accepts.
    const photoThreading = replyTo
      ? { reply_parameters: JSON.stringify(threading.reply_parameters) as unknown as { message_id: number } }
      : {};

    if (reply.chart) {
      const { png, filename } = reply.chart;
      const whole = html.length <= CAPTION_LIMIT;
      const photo = await this.attempt(target, (id) =>
        this.telegram.sendPhoto(
          id,
          { source: png, filename },
          {
            caption: whole ? html : chartCaption(reply),
            parse_mode: 'HTML',
            ...(whole && keyboard ? { reply_markup: keyboard } : {}),
            ...photoThreading,
          },
        ),
      );
      if (!photo.ok) return photo.failure;
      ids.push(String(photo.value.message_id));
      if (whole) return this.delivered(ids, target);
    }

    const parts = splitHtml(html, TEXT_LIMIT);
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      const started = ids.length > 0;
      const sent = await this.attempt(
        target,
        (id) =>
          this.telegram.sendMessage(id, part, {
            parse_mode: 'HTML',
            link_preview_options: { is_disabled: true },
            ...(last && keyboard ? { reply_markup: keyboard } : {}),
            ...(started ? {} : threading),
          }),
        started,
      );
      if (!sent.ok) {
        if (!started || sent.failure.permanent) return sent.failure;
        // Part of the reply is already in the chat: handing back a retryable failure would make the
        // caller (the outbox) send it again from the start, so report what arrived and log the rest.
        this.log.error(
          { chatId: target.id, delivered: ids.length, of: parts.length + (reply.chart ? 1 : 0), reason: sent.failure.reason },
          'telegram: reply cut short after its first part; the rest is not resent to avoid repeating what arrived',
        );
        return this.delivered(ids, target);
      }
      ids.push(String(sent.value.message_id));
    }
    return this.delivered(ids, target);
  }

  /**
   * Replaces a message in place (a button press): a text with text, a chart photo with the new chart
   * and caption. Falls back to a new message when the old one cannot hold the new answer: a text
   * becoming a chart, an answer longer than one message or caption, or an uneditable message.
   */
  async edit(chatId: string, messageId: number, reply: Reply, current: 'text' | 'photo' = 'text'): Promise<SendResult> {
    const { html, keyboard } = renderTelegram(reply);
    const chart = reply.chart;
    const fits = chart ? current === 'photo' && html.length <= CAPTION_LIMIT : current === 'text' && html.length <= TEXT_LIMIT;
    if (!fits) return this.send(chatId, reply);
    const target: Target = { id: chatId };
    const markup = keyboard ? { reply_markup: keyboard } : {};
    const edited = await this.attempt(
      target,
      (id): Promise<unknown> =>
        chart
          ? this.telegram.editMessageMedia(
              id,
              messageId,
              undefined,
              {
                type: 'photo',
                media: { source: chart.png, filename: chart.filename },
                caption: html,
                parse_mode: 'HTML',
              },
              markup,
            )
          : this.telegram.editMessageText(id, messageId, undefined, html, {
              parse_mode: 'HTML',
              link_preview_options: { is_disabled: true },
              ...markup,
            }),
    );
    if (edited.ok || /message is not modified/i.test(edited.description)) return this.delivered([String(messageId)], target);
    if (edited.failure.permanent || edited.failure.retryAfterMs !== undefined) return edited.failure;
    this.log.info({ chatId, messageId, reason: edited.failure.reason }, 'telegram: could not edit, sending a new message');
    return this.send(target.id, reply);
  }

  private delivered(messageIds: string[], target: Target): SendResult {
    return target.migratedTo ? { ok: true, messageIds, migratedTo: target.migratedTo } : { ok: true, messageIds };
  }

  /** One API call with pacing and Telegram's retry rules; never throws. */
  /** `finishing`: an earlier part already arrived, so even a long "retry after" is waited out here. */
  private async attempt<T>(target: Target, call: (chat: number | string) => Promise<T>, finishing = false): Promise<Attempt<T>> {
    let lastFailure: Attempt<T> | undefined;
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      const release = await this.pacer.acquire(target.id);
      if (!release) {
        // Shutting down: nothing was sent, so the caller (the outbox) may send it after the restart.
        const reason = 'not sent: the bot is shutting down';
        return { ok: false, failure: { ok: false, permanent: false, reason }, description: reason };
      }
      if (target.mayAct && !target.mayAct()) {
        release();
        return { ok: false, failure: { ok: false, permanent: false, reason: NOT_LEADING }, description: NOT_LEADING };
      }
      try {
        return { ok: true, value: await call(chatRef(target.id)) };
      } catch (err) {
        if (!(err instanceof TelegramError)) {
          // The request may have reached Telegram (a timed-out call too): resending could duplicate,
          // so the caller decides; the outbox retries it, a command reply is logged as not delivered.
          const reason = `Telegram unreachable: ${(err as Error).message}`;
          return { ok: false, failure: { ok: false, permanent: false, reason }, description: reason };
        }
        const description = err.description;
        const retryAfter = err.parameters?.retry_after;
        const migrateTo = err.parameters?.migrate_to_chat_id;
        if (err.code === 429 && retryAfter !== undefined) {
          const waitMs = retryAfter * 1000;
          this.pacer.holdChat(target.id, waitMs);
          this.log.warn({ chatId: target.id, retryAfter, attempt }, 'telegram: rate limited');
          lastFailure = { ok: false, failure: { ok: false, permanent: false, reason: description, retryAfterMs: waitMs }, description };
          if (waitMs > this.options.maxRetryWaitMs && !finishing) return lastFailure;
          continue;
        }
        if (migrateTo !== undefined && target.migratedTo === undefined) {
          this.log.info({ from: target.id, to: migrateTo }, 'telegram: group migrated to a supergroup');
          target.id = String(migrateTo);
          target.migratedTo = target.id;
          continue;
        }
        const permanent = err.code === 403 || GONE.test(description);
        const failure: Failure = { ok: false, permanent, reason: description };
        if (target.migratedTo) failure.migratedTo = target.migratedTo;
        return { ok: false, failure, description };
      } finally {
        release();
      }
    }
    return lastFailure ?? { ok: false, failure: { ok: false, permanent: false, reason: 'gave up after retries' }, description: 'gave up' };
  }
}
