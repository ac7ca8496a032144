/**
 * The Telegram adapter's wiring: connect, take updates by long polling (polling.ts; only while
 * leader, leader-polling.ts) or by webhook when TELEGRAM_WEBHOOK_URL is set, hand them to the
 * intake (intake.ts: bounded per chat and overall, so one flooding chat cannot starve the rest),
 * and stop gracefully. Messages and buttons are answered in updates.ts, inline queries in
 * inline.ts, askers told apart in asker.ts; replies and posts go out through delivery.ts, paced by
 * pacer.ts, rendered by format.ts.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegraf, TelegramError } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Config } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import type { Command, CommandContext } from '../../core/command.ts';
import type { Sender } from '../../core/delivery.ts';
import { soleLeader, type LeaderSignal } from '../../core/leadership.ts';
import type { PlatformAdapter } from '../../core/platform.ts';
import { STOP_GRACE_MS } from '../grace.ts';
import { askerOf } from './asker.ts';
import { commandMenu } from './commands.ts';
import { listenForWebhook } from './webhook.ts';
import { SLOW_DOWN } from './replies.ts';
import { createTelegramSender } from './sender.ts';
import { createUpdateHandler } from './updates.ts';
import { Throttle } from './throttle.ts';
import { addDeadlines } from './deadline.ts';
import { TelegramDelivery } from './delivery.ts';
import { INTAKE_LIMITS, Intake, type IntakeLimits } from './intake.ts';
import { Pacer } from './pacer.ts';
import { classifyPollError, POLL_TIMING, type PollTiming } from './polling.ts';
import { pollWhileLeader } from './leader-polling.ts';
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
  /**
   * Long polling runs only while this says leader (one poller per token, or 409). Absent: always
   * leader. Webhook mode ignores it: every instance behind the load balancer takes updates.
   */
  leader?: LeaderSignal;
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
  /** False while this instance's long polling keeps failing (Telegram unreachable); webhook mode and followers: true. */
  connected(): boolean;
  stop(): Promise<void>;
}

// https://core.telegram.org/bots/api#getupdates: allowed_updates is remembered, and a type left out is never delivered.
const UPDATES = ['message', 'callback_query', 'inline_query'] as const;

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

  const handle = createUpdateHandler({
    telegram: bot.telegram,
    commands,
    makeContext: deps.makeContext,
    who: askerOf(bot.telegram, log),
    delivery,
    botUsername,
    log,
    showTyping,
    answerCallbackAfterMs: deps.answerCallbackAfterMs ?? 2_000,
  });

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
  await bot.telegram.setMyCommands(commandMenu(commands)).catch((err: unknown) => {
    log.warn({ err: (err as Error).message }, 'telegram: setMyCommands failed; the command menu may be out of date');
  });

  let webhook: Server | undefined;
  let polling: Promise<void> | undefined;
  const stopPolling = new AbortController();
  let failedWith!: (err: Error) => void;
  const failed = new Promise<Error>((resolve) => (failedWith = resolve));
  // One failed poll is routine (a deploy's 409, a blip); three in a row (about 7 s of backoff) mean
  // this instance is cut off from Telegram, which /readyz should say.
  let failingPolls = 0;
  if (config.TELEGRAM_WEBHOOK_URL) {
    const url = new URL(config.TELEGRAM_WEBHOOK_URL);
    const server = await listenForWebhook(bot, config, url, UPDATES);
    webhook = server;
    log.info({ botUsername, port: (server.address() as AddressInfo).port }, 'telegram: webhook mode');
  } else {
    // A webhook left set would answer every getUpdates with 409.
    await bot.telegram.deleteWebhook().catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'telegram: deleteWebhook failed; polling will retry until it is gone');
    });
    polling = pollWhileLeader({
      leader: deps.leader ?? soleLeader,
      telegram: bot.telegram,
      allowedUpdates: UPDATES,
      onUpdate: (update) => accept(update),
      onOutcome: (failures) => {
        failingPolls = failures;
      },
      log,
      timing: timing.poll,
      signal: stopPolling.signal,
    }).catch((err: unknown) => {
      log.fatal({ err: (err as Error).message }, 'telegram: polling cannot continue');
      failedWith(err as Error);
    });
    log.info({ botUsername, whileLeader: deps.leader !== undefined }, 'telegram: long polling mode');
  }

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
        log.warn(
          { dropped: chats.length, chats, graceMs: timing.stopGraceMs },
          'telegram: shutdown grace period over; dropping the replies still being made',
        );
        pacer.close();
        cancelCalls.abort();
        await within(Promise.all([intake.settled(), polling]), 1_000);
      }
      log.info('telegram: stopped');
    })());

  return {
    sender: createTelegramSender(delivery),
    botUsername,
    ...(webhook ? { webhookPort: (webhook.address() as AddressInfo).port } : {}),
    failed,
    connected: () => failingPolls < 3,
    stop,
  };
}

/** Telegram as one of main's platforms. */
export function telegramPlatform(deps: Omit<TelegramDeps, 'makeContext'>): PlatformAdapter {
  return {
    platform: 'telegram',
    async start(makeContext, _ready, options) {
      const telegram = await startTelegram({ ...deps, makeContext, ...(options?.leader ? { leader: options.leader } : {}) });
      deps.logger.info({ bot: telegram.botUsername }, 'telegram started');
      return { sender: telegram.sender, ended: telegram.failed, connected: telegram.connected, stop: telegram.stop };
    },
  };
}
