/**
 * The Telegram adapter: turns messages and button presses into command runs and sends the replies
 * back. Updates arrive by long polling, or by webhook when TELEGRAM_WEBHOOK_URL is set. Handling is
 * detached from update intake so one slow answer never delays the next chat, and bounded per chat
 * and overall (intake.ts) so one flooding chat cannot starve the rest.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegraf, TelegramError } from 'telegraf';
import type { CallbackQuery, Message, Update, User } from 'telegraf/types';
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { findCommand, resumeDeliveries, runCommand, withLines } from '../../core/run.ts';
import { splitArgs, tokenize, type Command, type CommandContext } from '../../core/command.ts';
import type { Sender } from '../../delivery/sender.ts';
import { errorReply, type Reply } from '../../core/reply.ts';
import { decodeCallback } from '../../render/telegram.ts';
import { STOP_GRACE_MS } from '../grace.ts';
import { parseCommand } from './commands.ts';
import { SLOW_DOWN, STALE_BUTTON, startReply } from './replies.ts';
import { Throttle } from './throttle.ts';
import { addDeadlines } from './deadline.ts';
import { TelegramDelivery } from './delivery.ts';
import { INTAKE_LIMITS, Intake, type IntakeLimits } from './intake.ts';
import { Pacer } from './pacer.ts';
import { classifyPollError, POLL_TIMING, pollUpdates, type PollTiming } from './polling.ts';
import { createInlineQueries } from './inline.ts';

export interface TelegramDeps {
  config: Config;
  logger: Logger;
  commands: readonly Command[];
  /** Builds the CommandContext for one incoming message (market, now, version, services come from main). */
  makeContext(who: { user: CommandContext['user']; chat: CommandContext['chat'] }): CommandContext;
  /**
   * A button press whose command has not answered after this long gets its callback answered at once
   * (the user's client shows a spinner until then, and Telegram expires unanswered queries); default 2,000 ms.
   */
  answerCallbackAfterMs?: number;
  /** Deadlines and bounds; the defaults are for production, tests shorten them. */
  timing?: Partial<TelegramTiming>;
}

export interface TelegramTiming {
  /** Every Bot API call ends within this (a long poll: its own timeout plus this). */
  callTimeoutMs: number;
  /** stop() lets running commands answer for this long, then drops what is left. */
  stopGraceMs: number;
  poll: PollTiming;
  intake: IntakeLimits;
  /** One "typing…" per chat per this long: the Bot API shows a chat action for 5 s or until a message arrives. */
  chatActionEveryMs: number;
  /** A flooding chat hears "slow down" at most once per this long. */
  slowDownEveryMs: number;
  /**
   * An inline query is answered within this, with a "being fetched" card for what is not ready:
   * the user watches a spinner while typing, and the fetch goes on to fill the cache for the next
   * keystroke. Shorter than the command deadline (COMMAND_DEADLINE_MS).
   */
  inlineAnswerMs: number;
}

const TIMING: TelegramTiming = {
  callTimeoutMs: 10_000,
  stopGraceMs: STOP_GRACE_MS,
  poll: POLL_TIMING,
  intake: INTAKE_LIMITS,
  chatActionEveryMs: 4_000,
  slowDownEveryMs: 60_000,
  inlineAnswerMs: 4_000,
};

export interface TelegramBot {
  sender: Sender;
  botUsername: string;
  /** The local port of the webhook listener, in webhook mode. */
  webhookPort?: number;
  /**
   * Resolves (never rejects) only when Telegram refused polling for good (a revoked token): the bot
   * is deaf, so the process should exit non-zero with this message.
   */
  failed: Promise<Error>;
  stop(): Promise<void>;
}

// https://core.telegram.org/bots/api#getupdates: allowed_updates is remembered, and a type left out is never delivered.
const UPDATES = ['message', 'callback_query', 'inline_query'] as const;
const ADMIN_STATUSES = new Set(['creator', 'administrator']);
type ChatKind = NonNullable<CommandContext['chat']>['kind'];
const kindOf = (type: string): ChatKind => (type === 'private' ? 'private' : type === 'channel' ? 'channel' : 'group');

export async function startTelegram(deps: TelegramDeps): Promise<TelegramBot> {
  const { config, commands } = deps;
  const log = deps.logger.child({ platform: 'telegram' });
  const token = config.TELEGRAM_BOT_TOKEN;
  if (!token) throw new Error('TELEGRAM_BOT_TOKEN is not set');

  const timing: TelegramTiming = { ...TIMING, ...deps.timing };
  const bot = new Telegraf(token, {
    // A trailing slash keeps a path prefix of a self-hosted Bot API server in the URL.
    telegram: { apiRoot: `${config.TELEGRAM_API_ROOT}/`, webhookReply: false },
  });
  const cancelCalls = new AbortController();
  addDeadlines(bot.telegram, timing.callTimeoutMs, cancelCalls.signal);
  const me = await bot.telegram.getMe().catch((err: unknown) => {
    const verdict = err instanceof TelegramError ? classifyPollError(err) : undefined;
    throw verdict && !verdict.retry ? verdict.error : err;
  });
  bot.botInfo = me;
  const botUsername = me.username;
  if (!me.supports_inline_queries) log.info({ botUsername }, 'telegram: inline mode is off; BotFather /setinline turns it on');
  const pacer = new Pacer();
  const delivery = new TelegramDelivery(bot.telegram, pacer, log);
  const typing = new Throttle(timing.chatActionEveryMs);
  const slowDown = new Throttle(timing.slowDownEveryMs);

  /** "typing…" while a command runs; at most one per chat per chatActionEveryMs, so a flood fires few. */
  const showTyping = (chatId: number) => {
    if (!typing.allow(String(chatId))) return;
    void bot.telegram.sendChatAction(chatId, 'typing').catch(() => undefined);
  };

  const intake = new Intake(
    timing.intake,
    ({ chatId, dropped }) => {
      if (dropped > 1) return;
      log.warn({ chatId, queued: timing.intake.perChat }, 'telegram: chat is flooding; dropping its commands beyond the queue bound');
      if (slowDown.allow(chatId)) void delivery.send(chatId, SLOW_DOWN);
    },
    ({ chatId, dropped }) => log.warn({ chatId, dropped }, 'telegram: flood over; commands dropped from this chat'),
  );

  const who = (from: User | undefined, chat: { id: number; type: string }, senderChatId?: number) => {
    const kind = kindOf(chat.type);
    let admin: Promise<boolean> | undefined;
    const isAdmin = () => {
      if (kind === 'private') return Promise.resolve(true);
      // An anonymous group admin posts as the group itself.
      if (senderChatId === chat.id) return Promise.resolve(true);
      if (!from) return Promise.resolve(false);
      admin ??= bot.telegram.getChatMember(chat.id, from.id).then(
        (m) => ADMIN_STATUSES.has(m.status),
        (err: unknown) => {
          log.warn({ chatId: chat.id, err: (err as Error).message }, 'telegram: admin check failed');
          return false;
        },
      );
      return admin;
    };
    return {
      user: from ? { platform: 'telegram' as const, id: String(from.id), name: from.username ?? from.first_name } : undefined,
      chat: { id: String(chat.id), kind, isAdmin },
    };
  };

  async function onMessage(msg: Message) {
    if (!('text' in msg)) return;
    const chatId = String(msg.chat.id);
    const isPrivate = msg.chat.type === 'private';
    const parsed = parseCommand(msg.text, botUsername);
    if (!parsed) {
      if (isPrivate && !msg.text.startsWith('/')) {
        await delivery.send(chatId, { title: 'Commands start with /', lines: ['For example /hashprice. /help lists them all.'], sections: [], footer: [], tone: 'neutral' });
      }
      return;
    }
    const command = findCommand(commands, parsed.name);
    const context = () => deps.makeContext(who(msg.from, msg.chat, 'sender_chat' in msg ? msg.sender_chat?.id : undefined));
    let reply: Reply;
    if (!command && parsed.name === 'start') {
      // Unblocking a bot sends /start: deliveries paused while it was blocked resume here.
      const ctx = context();
      reply = withLines(startReply(commands, ctx.version), resumeDeliveries(ctx, log));
    } else if (!command && !isPrivate && !parsed.addressed) {
      return; // Probably meant for another bot in the group.
    } else {
      showTyping(msg.chat.id);
      const raw = command ? splitArgs(command, tokenize(parsed.rest)) : {};
      reply = await runCommand(commands, parsed.name, raw, context(), log);
    }
    const result = await delivery.send(chatId, reply, isPrivate ? undefined : msg.message_id);
    if (!result.ok) {
      log.warn({ chatId, command: parsed.name, reason: result.reason, permanent: result.permanent }, 'telegram: reply not delivered');
    }
  }

  const answerCallbackAfterMs = deps.answerCallbackAfterMs ?? 2_000;

  async function onCallback(query: CallbackQuery) {
    let answer: { text?: string; show_alert?: boolean } = {};
    let answered: Promise<void> | undefined;
    const sendAnswer = (a: { text?: string; show_alert?: boolean }) =>
      (answered ??= bot.telegram.answerCbQuery(query.id, a.text, a.show_alert ? { show_alert: true } : {}).then(
        () => undefined,
        (err: unknown) => {
          log.warn({ err: (err as Error).message }, 'telegram: answerCallbackQuery failed');
        },
      ));
    // A slow command (a chart, a cold cache): stop the spinner now; the answer follows as an edit.
    const early = setTimeout(() => void sendAnswer({}), answerCallbackAfterMs);
    try {
      const decoded = 'data' in query ? decodeCallback(query.data) : undefined;
      const message = query.message;
      if (!decoded || !message || !findCommand(commands, decoded.command)) {
        log.info({ data: 'data' in query ? query.data.slice(0, 64) : undefined }, 'telegram: unusable callback data');
        answer = { text: STALE_BUTTON };
        return;
      }
      const context = deps.makeContext(who(query.from, message.chat));
      const reply = await runCommand(commands, decoded.command, decoded.args, context, log);
      const chatId = String(message.chat.id);
      if (reply.tone === 'error') {
        // Too late for a pop-up: the query was already answered, so say it in the chat.
        if (answered) {
          await delivery.send(chatId, reply);
          return;
        }
        // Keep the good answer on screen; explain the problem in the pop-up instead.
        const why = [reply.title, ...(reply.lines ?? [])].join(': ');
        answer = { text: why.length > 200 ? `${why.slice(0, 199)}…` : why, show_alert: true };
        return;
      }
      const current = 'text' in message ? 'text' : 'photo' in message ? 'photo' : undefined;
      const result = current ? await delivery.edit(chatId, message.message_id, reply, current) : await delivery.send(chatId, reply);
      if (!result.ok) {
        log.warn({ chatId, reason: result.reason }, 'telegram: button answer not delivered');
        answer = { text: 'Sorry, Telegram would not take the update right now. Please try again in a minute.' };
      }
    } catch (err) {
      log.error({ err }, 'telegram: button handler failed');
      answer = { text: 'Sorry, something went wrong on our side. Please try again.' };
    } finally {
      clearTimeout(early);
      // Always answered (once), or the user's client spins until it times out.
      await sendAnswer(answer);
    }
  }

  async function handle(update: Update) {
    try {
      if ('message' in update) await onMessage(update.message);
      else if ('callback_query' in update) await onCallback(update.callback_query);
    } catch (err) {
      log.error({ err, updateId: update.update_id }, 'telegram: update handler failed');
      const chat = 'message' in update ? update.message.chat : undefined;
      if (chat) {
        await delivery.send(String(chat.id), errorReply('Sorry, that failed', 'Something went wrong on our side while answering. It has been logged; please try again in a minute.'));
      }
    }
  }

  const inline = createInlineQueries({
    commands,
    makeContext: () => deps.makeContext({ user: undefined, chat: undefined }),
    answer: (id, results, extra) => bot.telegram.answerInlineQuery(id, results, extra),
    log,
    answerWithinMs: timing.inlineAnswerMs,
    botUsername,
  });

  const accept = (update: Update) => {
    if ('inline_query' in update) {
      inline.accept(update.inline_query, (key, job) => intake.push(key, job));
      return;
    }
    const chat = 'message' in update ? update.message.chat : 'callback_query' in update ? update.callback_query.message?.chat : undefined;
    const from = 'callback_query' in update ? update.callback_query.from : undefined;
    const chatId = chat?.id ?? from?.id;
    if (chatId === undefined) return;
    intake.push(String(chatId), () => handle(update));
  };
  bot.use((ctx) => accept(ctx.update));
  bot.catch((err, ctx) => log.error({ err, updateId: ctx.update.update_id }, 'telegram: middleware error'));

  // Decorative: the command menu in clients. Useful, never worth failing start-up over.
  const menu = commands
    .filter((c) => /^[a-z0-9_]{1,32}$/.test(c.name) && c.description.trim() !== '')
    .map((c) => ({ command: c.name, description: c.description.slice(0, 256) }));
  await bot.telegram.setMyCommands(menu.slice(0, 100)).catch((err: unknown) => {
    log.warn({ err: (err as Error).message }, 'telegram: setMyCommands failed; the command menu may be out of date');
  });

  let webhook: Server | undefined;
  let polling: Promise<void> | undefined;
  const stopPolling = new AbortController();
  let failedWith!: (err: Error) => void;
  const failed = new Promise<Error>((resolve) => (failedWith = resolve));
  if (config.TELEGRAM_WEBHOOK_URL) {
    const url = new URL(config.TELEGRAM_WEBHOOK_URL);
    // telegraf answers 403 to any request without the right secret token or path.
    const server = createServer(bot.webhookCallback(`${url.pathname}${url.search}`, { secretToken: config.TELEGRAM_WEBHOOK_SECRET }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.TELEGRAM_WEBHOOK_PORT, () => resolve());
    });
    webhook = server;
    try {
      await bot.telegram.setWebhook(url.href, { secret_token: config.TELEGRAM_WEBHOOK_SECRET, allowed_updates: [...UPDATES] });
    } catch (err) {
      server.close();
      throw err;
    }
    log.info({ botUsername, port: (server.address() as AddressInfo).port }, 'telegram: webhook mode');
  } else {
    // A webhook left set would answer every getUpdates with 409.
    await bot.telegram.deleteWebhook().catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'telegram: deleteWebhook failed; polling will retry until it is gone');
    });
    polling = pollUpdates({
      telegram: bot.telegram,
      allowedUpdates: UPDATES,
      onUpdate: (update) => accept(update),
      log,
      timing: timing.poll,
      signal: stopPolling.signal,
    }).catch((err: unknown) => {
      log.fatal({ err: (err as Error).message }, 'telegram: polling cannot continue');
      failedWith(err as Error);
    });
    log.info({ botUsername }, 'telegram: long polling');
  }

  const sender: Sender = {
    platform: 'telegram',
    async send(destination, reply) {
      if (destination.platform !== 'telegram') {
        return { ok: false, permanent: true, reason: `not a Telegram destination (${destination.platform})` };
      }
      return delivery.send(destination.chatId, reply);
    },
  };

  const within = (work: Promise<unknown>, ms: number) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    return Promise.race([work.then(() => true as const), late]).finally(() => clearTimeout(timer));
  };

  /**
   * No new updates; commands not yet started are dropped; running ones get until the grace period
   * ends, then their waiting sends are given up and calls in flight aborted. Each drop is logged
   * with its count and chats. The sender keeps working afterwards (the outbox may still send)
   * unless the grace period ran out.
   */
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      const deadline = Date.now() + timing.stopGraceMs;
      stopPolling.abort();
      if (webhook) {
        const server = webhook;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await within(closed, Math.max(0, deadline - Date.now()));
      }
      const notStarted = intake.close();
      if (notStarted.size) {
        log.warn(
          { dropped: [...notStarted.values()].reduce((a, b) => a + b, 0), chats: [...notStarted.keys()] },
          'telegram: shutting down; dropped commands that had not started',
        );
      }
      const finished = await within(Promise.all([intake.settled(), polling]), Math.max(0, deadline - Date.now()));
      if (!finished) {
        const chats = intake.runningChats();
        log.warn({ dropped: chats.length, chats, graceMs: timing.stopGraceMs }, 'telegram: shutdown grace period over; dropping the replies still being made');
        pacer.close();
        cancelCalls.abort();
        await within(Promise.all([intake.settled(), polling]), 1_000);
      }
      log.info('telegram: stopped');
    })());

  return {
    sender,
    botUsername,
    ...(webhook ? { webhookPort: (webhook.address() as AddressInfo).port } : {}),
    failed,
    stop,
  };
}
