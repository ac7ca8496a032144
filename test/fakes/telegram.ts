/**
 * A local stand-in for the Telegram Bot API (https://core.telegram.org/bots/api), served over a real
 * socket so the unmodified telegraf client can talk to it. It is strict where the real API is strict
 * (token, HTML entities, text and caption lengths, rate limits) so rendering bugs fail tests here
 * instead of in production.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  method: 'sendMessage' | 'sendPhoto' | 'editMessageText' | 'editMessageMedia';
  chat_id: number;
  message_id: number;
  text?: string;
  caption?: string;
  parse_mode?: string;
  reply_markup?: any;
  /** Size of the uploaded photo, for sendPhoto and editMessageMedia. */
  photoBytes?: number;
  /** The message this one answers (reply_parameters.message_id), when threaded. */
  reply_to_message_id?: number;
  /** Visible text after entity parsing (tags removed, entities decoded). */
  plain: string;
  /** When the request arrived (ms since the epoch). */
  at: number;
  /** The entrance it came through (see FakeTelegram.entrance); absent for apiRoot. */
  via?: string;
}

/** One answerInlineQuery the fake accepted. */
interface InlineAnswer {
  inline_query_id: string;
  results: any[];
  cache_time?: number;
  is_personal?: boolean;
  /** Visible text of each result's message (entities parsed), in result order. */
  plain: string[];
}

type Fault = { code: 429; retryAfter: number } | { code: 403; description?: string } | { code: 400; migrateTo: number };

/**
 * What getUpdates can answer instead of updates. Every error is `{ ok: false, error_code, description }`
 * (https://core.telegram.org/bots/api#making-requests); the codes and texts are the ones the real
 * server sends:
 * - 409 "Conflict: terminated by other getUpdates request": a second instance polls the same token
 *   (during a deploy both run for a moment); https://core.telegram.org/bots/api#getupdates allows
 *   one poller per bot, the newer request wins and the older one gets this 409;
 * - 401 "Unauthorized": the token was revoked (@BotFather /revoke) or never existed;
 * - 400 with the given description: the request itself was refused;
 * - 502 "Bad Gateway": Telegram's front end while its servers restart.
 */
type UpdatesFault = { code: 409 } | { code: 401 } | { code: 400; description: string } | { code: 502 };

export interface FakeTelegram {
  apiRoot: string;
  token: string;
  botUsername: string;
  sendUserMessage(m: {
    chatId: number;
    text: string;
    chatType?: 'private' | 'group' | 'supergroup';
    fromId?: number;
    fromName?: string;
  }): number;
  pressButton(m: { chatId: number; messageId: number; data: string; fromId?: number }): void;
  /** A user types "@bot <query>" in some chat; returns the inline query's id. */
  sendInlineQuery(m: { fromId: number; query: string; chatType?: 'sender' | 'private' | 'group' | 'supergroup' | 'channel' }): string;
  inlineAnswers: InlineAnswer[];
  waitForInlineAnswer(pred: (a: InlineAnswer) => boolean, timeoutMs?: number): Promise<InlineAnswer>;
  /** Refusals of answerInlineQuery, with the Bot API's description, for tests to inspect. */
  inlineRefusals: string[];
  sent: SentMessage[];
  waitForSent(pred: (m: SentMessage) => boolean, timeoutMs?: number): Promise<SentMessage>;
  callbackAnswers: any[];
  myCommands: any[];
  calls: { method: string; at: number; via?: string }[];
  /**
   * Another address serving this same bot, whose requests are recorded with `via: label`, so a
   * test running several bot processes on one token can tell which process made each call. The Bot
   * API knows a bot only by the token in the URL (https://core.telegram.org/bots/api#making-requests:
   * "https://api.telegram.org/bot<token>/METHOD_NAME"), not by the connection or address a request
   * comes from, so every entrance answers exactly as apiRoot does; only the record differs.
   */
  entrance(label: string): Promise<string>;
  /** The webhook registered with setWebhook, if any. */
  webhook?: { url: string; secretToken?: string };
  failNext(method: string, fault: Fault, times?: number): void;
  failUpdates(fault: UpdatesFault, times?: number): void;
  /**
   * The next `times` calls of `method` ('*' for any) are read but never answered, as when a network
   * path or Telegram stalls mid-request; they end (connection reset) only at close().
   */
  hangNext(method: string, times?: number): void;
  /** Requests currently held open by hangNext. */
  hanging: number;
  blockChat(chatId: number): void;
  setAdmins(chatId: number, userIds: number[]): void;
  count429: number;
  /** Long polls ended with 409 because another getUpdates (or setWebhook) came in while they waited. */
  pollConflicts: number;
  /** setWebhook calls that changed the webhook (a repeat with the same URL and secret does not). */
  webhookChanges: number;
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: Record<string, number>,
  ) {
    super(description);
  }
}

const ALLOWED_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'tg-emoji',
  'code',
  'pre',
  'blockquote',
]);
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** Parses Telegram HTML like the real API; returns the visible text or throws a 400. */
export function parseTelegramHtml(html: string): string {
  const fail = (why: string, at: number): never => {
    throw new ApiError(400, `Bad Request: can't parse entities: ${why} at byte offset ${Buffer.byteLength(html.slice(0, at))}`);
  };
  const stack: string[] = [];
  let plain = '';
  for (let i = 0; i < html.length; ) {
    const ch = html[i]!;
    if (ch === '<') {
      const m = /^<(\/?)([a-zA-Z][\w-]*)((?:\s+[a-zA-Z-]+(?:="[^"<>]*")?)*)\s*>/.exec(html.slice(i));
      if (!m) fail('Unsupported start tag', i);
      const [whole, closing, rawName] = m!;
      const name = rawName!.toLowerCase();
      if (!ALLOWED_TAGS.has(name)) fail(`Unsupported start tag "${name}"`, i);
      if (closing) {
        const open = stack.pop();
        if (open !== name) fail(`Can't find end tag corresponding to start tag "${open ?? name}"`, i);
      } else {
        stack.push(name);
      }
      i += whole!.length;
    } else if (ch === '&') {
      const m = /^&(?:#(\d{1,7})|#x([\da-fA-F]{1,6})|([a-zA-Z]+));/.exec(html.slice(i));
      if (!m) fail('Character "&" must be escaped as &amp;', i);
      if (m![3] !== undefined) {
        const named = NAMED_ENTITIES[m![3]];
        if (named === undefined) fail(`Unsupported entity "&${m![3]};"`, i);
        plain += named;
      } else {
        plain += String.fromCodePoint(m![1] !== undefined ? Number(m![1]) : Number.parseInt(m![2]!, 16));
      }
      i += m![0].length;
    } else if (ch === '>') {
      fail('Character ">" must be escaped as &gt;', i);
    } else {
      plain += ch;
      i++;
    }
  }
  if (stack.length) fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"`, html.length);
  return plain;
}

interface Part {
  name: string;
  filename?: string;
  data: Buffer;
}

function parseMultipart(body: Buffer, boundary: string): Part[] {
  const parts: Part[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const chunk = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = chunk.indexOf('\r\n\r\n');
    const headers = chunk.subarray(0, headerEnd).toString();
    const disposition = /content-disposition:\s*form-data;\s*name="([^"]*)"(?:;\s*filename="([^"]*)")?/i.exec(headers);
    if (disposition) parts.push({ name: disposition[1]!, filename: disposition[2], data: chunk.subarray(headerEnd + 4) });
    pos = next;
  }
  return parts;
}

async function readBody(req: IncomingMessage): Promise<{ params: Record<string, any>; files: Record<string, Buffer> }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
  const files: Record<string, Buffer> = {};
  let params: Record<string, any> = { ...query };
  if (type.startsWith('application/json') && body.length) {
    params = { ...params, ...JSON.parse(body.toString()) };
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    params = { ...params, ...Object.fromEntries(new URLSearchParams(body.toString())) };
  } else if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=("?)([^";]+)\1/.exec(type)?.[2];
    if (!boundary) throw new ApiError(400, 'Bad Request: multipart boundary missing');
    for (const p of parseMultipart(body, boundary)) {
      if (p.filename !== undefined) files[p.name] = p.data;
      else params[p.name] = p.data.toString();
    }
  }
  // Form encodings carry objects as JSON strings, as in the real API.
  for (const key of [
    'results',
    'button',
    'reply_markup',
    'commands',
    'allowed_updates',
    'link_preview_options',
    'reply_parameters',
    'media',
  ]) {
    if (typeof params[key] === 'string') {
      try {
        params[key] = JSON.parse(params[key]);
      } catch {
        throw new ApiError(400, `Bad Request: can't parse ${key} JSON object`);
      }
    }
  }
  return { params, files };
}

export async function startFakeTelegram(opts: { token?: string; botUsername?: string; maxPerSecond?: number } = {}): Promise<FakeTelegram> {
  const token = opts.token ?? '123456:TEST-token_for-the-fake';
  const botUsername = opts.botUsername ?? 'HashwatchTestBot';
  const botId = Number(token.split(':')[0]);
  let nextUpdateId = 1;
  let nextMessageId = 1;
  let nextCallbackId = 1;
  let nextInlineId = 1;
  const openInline = new Set<string>();
  /**
   * https://core.telegram.org/bots/api#getupdates, allowed_updates: "Specify an empty list to receive
   * all update types except chat_member, message_reaction, and message_reaction_count (default). If
   * not specified, the previous setting will be used. Please note that this parameter doesn't affect
   * updates created before the call": a type left out is never created, so it is never delivered.
   */
  let allowedUpdates: string[] = [];
  const updates: any[] = [];
  const pollers = new Set<() => void>();
  /**
   * The one long poll the server holds. tdlib/telegram-bot-api (telegram-bot-api/Client.cpp):
   * do_get_updates keeps a single long_poll_query_, and a getUpdates that is about to wait first
   * calls abort_long_poll, which answers the waiting one 409 "Conflict: terminated by other
   * getUpdates request; make sure that only one bot instance is running"; a call that returns at
   * once (updates pending, or timeout 0) leaves the waiting one alone. setWebhook ends it too, with
   * "Conflict: terminated by setWebhook request".
   */
  let heldPoll: ((why: ApiError) => void) | undefined;
  /** Client.cpp process_set_webhook_query: at most one setWebhook with a URL per second, else 429 retry_after 1. */
  let nextSetWebhookAt = 0;
  const messages = new Map<string, any>(); // `${chatId}:${messageId}` → message
  const openCallbacks = new Set<string>();
  const faults = new Map<string, Fault[]>();
  const blocked = new Set<number>();
  const admins = new Map<number, number[]>();
  const sendTimes: number[] = [];
  const updatesFaults: UpdatesFault[] = [];
  const hangs = new Map<string, number>();
  const hangRelease = new Set<() => void>();
  const sentWaiters = new Set<() => void>();
  const entrances: Server[] = [];
  let closed = false;

  const fake: FakeTelegram = {
    apiRoot: '',
    token,
    botUsername,
    sent: [],
    inlineAnswers: [],
    inlineRefusals: [],
    callbackAnswers: [],
    myCommands: [],
    calls: [],
    count429: 0,
    hanging: 0,
    pollConflicts: 0,
    webhookChanges: 0,
    sendUserMessage(m) {
      const chatType = m.chatType ?? (m.chatId < 0 ? 'supergroup' : 'private');
      const fromId = m.fromId ?? (chatType === 'private' ? m.chatId : 1000);
      // A user writing to the bot in private has it unblocked: a private chat's bot status changes
      // only when the user blocks or unblocks it (https://core.telegram.org/bots/api#update,
      // my_chat_member), and the client's "Restart" after a block unblocks and sends /start.
      if (chatType === 'private') blocked.delete(m.chatId);
      const command = /^\/[\w@]+/.exec(m.text);
      const message = {
        message_id: nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat:
          chatType === 'private'
            ? { id: m.chatId, type: 'private', first_name: m.fromName ?? 'Alice' }
            : { id: m.chatId, type: chatType, title: 'Miners' },
        from: { id: fromId, is_bot: false, first_name: m.fromName ?? 'Alice' },
        text: m.text,
        ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
      };
      messages.set(`${m.chatId}:${message.message_id}`, message);
      enqueue({ message });
      return message.message_id;
    },
    pressButton(m) {
      const message = messages.get(`${m.chatId}:${m.messageId}`) ?? {
        message_id: m.messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: m.chatId, type: m.chatId < 0 ? 'supergroup' : 'private' },
        text: '(unknown message)',
      };
      const id = String(nextCallbackId++);
      openCallbacks.add(id);
      const fromId = m.fromId ?? (m.chatId > 0 ? m.chatId : 1000);
      enqueue({
        callback_query: {
          id,
          from: { id: fromId, is_bot: false, first_name: 'Alice' },
          message,
          chat_instance: String(m.chatId),
          data: m.data,
        },
      });
    },
    sendInlineQuery(m) {
      // https://core.telegram.org/bots/api#inlinequery: id, from, query (up to 256 characters), offset, chat_type.
      const id = `iq${nextInlineId++}`;
      openInline.add(id);
      enqueue({
        inline_query: {
          id,
          from: { id: m.fromId, is_bot: false, first_name: 'Alice' },
          query: m.query.slice(0, 256),
          offset: '',
          ...(m.chatType ? { chat_type: m.chatType } : {}),
        },
      });
      return id;
    },
    waitForInlineAnswer(pred, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = fake.inlineAnswers.find(pred);
          if (!found) return false;
          clearTimeout(timer);
          sentWaiters.delete(onSent);
          resolve(found);
          return true;
        };
        const onSent = () => void check();
        const timer = setTimeout(() => {
          sentWaiters.delete(onSent);
          reject(
            new Error(
              `fake telegram: no matching inline answer within ${timeoutMs} ms; answered so far: ${JSON.stringify(fake.inlineAnswers.map((a) => a.inline_query_id))}; refused: ${JSON.stringify(fake.inlineRefusals)}`,
            ),
          );
        }, timeoutMs);
        if (!check()) sentWaiters.add(onSent);
      });
    },
    waitForSent(pred, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = fake.sent.find(pred);
          if (!found) return false;
          clearTimeout(timer);
          sentWaiters.delete(onSent);
          resolve(found);
          return true;
        };
        const onSent = () => void check();
        const timer = setTimeout(() => {
          sentWaiters.delete(onSent);
          reject(
            new Error(
              `fake telegram: no matching message within ${timeoutMs} ms; sent so far: ${JSON.stringify(fake.sent.map((s) => s.plain.slice(0, 80)))}`,
            ),
          );
        }, timeoutMs);
        if (!check()) sentWaiters.add(onSent);
      });
    },
    failNext(method, fault, times = 1) {
      const list = faults.get(method) ?? [];
      for (let i = 0; i < times; i++) list.push(fault);
      faults.set(method, list);
    },
    failUpdates(fault, times = 1) {
      for (let i = 0; i < times; i++) updatesFaults.push(fault);
    },
    hangNext(method, times = 1) {
      hangs.set(method, (hangs.get(method) ?? 0) + times);
    },
    blockChat(chatId) {
      blocked.add(chatId);
    },
    setAdmins(chatId, userIds) {
      admins.set(chatId, userIds);
    },
    async entrance(label) {
      const door = createServer((req, res) => void handle(req, res, label));
      // Node closes an idle keep-alive connection after 5 s; a client reusing it then fails with
      // "socket hang up" before the request is read, so a call would go unseen. The Bot API expects
      // clients to keep reusing their connections (https://github.com/tdlib/telegram-bot-api/issues/1,
      // levlam: "your client HTTP library should be able to reuse network connections") and publishes
      // no shorter idle limit: a bot process frozen for a quarter of a minute finds its connection
      // open and what it sends on resuming is recorded.
      door.keepAliveTimeout = 60_000;
      entrances.push(door);
      return listen(door);
    },
    async close() {
      closed = true;
      for (const wake of pollers) wake();
      for (const release of hangRelease) release();
      await Promise.all(
        [server, ...entrances].map((s) => {
          s.closeAllConnections();
          return new Promise<void>((resolve) => s.close(() => resolve()));
        }),
      );
    },
  };

  function enqueue(update: Record<string, unknown>) {
    const type = Object.keys(update)[0]!;
    if (allowedUpdates.length && !allowedUpdates.includes(type)) return;
    updates.push({ update_id: nextUpdateId++, ...update });
    if (fake.webhook) void pushWebhook();
    for (const wake of pollers) wake();
  }

  let pushing = false;
  /** Webhook mode: posts queued updates in order, retrying until the bot accepts them. */
  async function pushWebhook() {
    if (pushing) return;
    pushing = true;
    try {
      while (updates.length && fake.webhook && !closed) {
        const update = updates[0];
        const res = await fetch(fake.webhook.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(fake.webhook.secretToken ? { 'x-telegram-bot-api-secret-token': fake.webhook.secretToken } : {}),
          },
          body: JSON.stringify(update),
        }).catch(() => undefined);
        if (res?.ok) updates.shift();
        else await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      pushing = false;
    }
  }

  function takeFault(method: string): Fault | undefined {
    const list = faults.get(method);
    return list?.shift();
  }

  function chatIdOf(params: Record<string, any>): number {
    const id = Number(params.chat_id);
    if (!Number.isSafeInteger(id) || id === 0) throw new ApiError(400, 'Bad Request: chat not found');
    return id;
  }

  function checkSendable(method: string, chatId: number) {
    const fault = takeFault(method);
    if (fault?.code === 429)
      throw new ApiError(429, `Too Many Requests: retry after ${fault.retryAfter}`, { retry_after: fault.retryAfter });
    if (fault?.code === 403) throw new ApiError(403, fault.description ?? 'Forbidden: bot was blocked by the user');
    if (fault?.code === 400) {
      throw new ApiError(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: fault.migrateTo });
    }
    if (blocked.has(chatId)) throw new ApiError(403, 'Forbidden: bot was blocked by the user');
    if (opts.maxPerSecond !== undefined) {
      // https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this: "the API
      // will not allow more than 30 messages per second or so" across chats. Enforced strictly, as a
      // sliding window: any one-second span (t - 1 s, t] holds at most maxPerSecond accepted sends.
      // A refused send is not counted; retry_after is the whole seconds until the oldest one leaves.
      const now = Date.now();
      while (sendTimes.length && sendTimes[0]! <= now - 1000) sendTimes.shift();
      if (sendTimes.length >= opts.maxPerSecond) {
        const retryAfter = Math.max(1, Math.ceil((sendTimes[0]! + 1000 - now) / 1000));
        throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
      }
      sendTimes.push(now);
    }
  }

  function visible(text: unknown, parseMode: unknown, limit: number, what: 'text' | 'caption'): string {
    if (typeof text !== 'string') {
      if (what === 'caption' && text === undefined) return '';
      throw new ApiError(400, 'Bad Request: message text is empty');
    }
    const plain = parseMode === 'HTML' ? parseTelegramHtml(text) : text;
    if (what === 'text' && plain.trim() === '') throw new ApiError(400, 'Bad Request: message text is empty');
    if (plain.length > limit)
      throw new ApiError(400, what === 'text' ? 'Bad Request: message is too long' : 'Bad Request: message caption is too long');
    return plain;
  }

  /**
   * answerInlineQuery as the Bot API checks it (https://core.telegram.org/bots/api#answerinlinequery).
   * Error texts are Telegram's (https://core.telegram.org/method/messages.setInlineBotResults lists
   * RESULTS_TOO_MUCH, RESULT_ID_DUPLICATE, RESULT_ID_INVALID, QUERY_ID_INVALID; the Bot API prefixes
   * "Bad Request: "); an expired or already answered query gets the text answerCallbackQuery uses.
   */
  function checkInlineAnswer(p: Record<string, any>) {
    const id = String(p.inline_query_id ?? '');
    if (!openInline.has(id)) throw new ApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
    const results = p.results;
    if (!Array.isArray(results)) throw new ApiError(400, "Bad Request: can't parse results JSON object");
    // "No more than 50 results per query are allowed."
    if (results.length > 50) throw new ApiError(400, 'Bad Request: RESULTS_TOO_MUCH');
    const ids = new Set<string>();
    const plain: string[] = [];
    for (const r of results) {
      // InlineQueryResultArticle: "id: Unique identifier for this result, 1-64 Bytes".
      if (typeof r?.id !== 'string' || r.id === '' || Buffer.byteLength(r.id) > 64)
        throw new ApiError(400, 'Bad Request: RESULT_ID_INVALID');
      if (ids.has(r.id)) throw new ApiError(400, 'Bad Request: RESULT_ID_DUPLICATE');
      ids.add(r.id);
      if (r.type !== 'article' || typeof r.title !== 'string' || r.title === '')
        throw new ApiError(400, 'Bad Request: RESULT_TYPE_INVALID');
      const content = r.input_message_content;
      if (typeof content?.message_text !== 'string') throw new ApiError(400, 'Bad Request: message text is empty');
      // InputTextMessageContent: "message_text: Text of the message to be sent, 1-4096 characters".
      const text = content.parse_mode === 'HTML' ? parseTelegramHtml(content.message_text) : content.message_text;
      if (text.trim() === '') throw new ApiError(400, 'Bad Request: message text is empty');
      if (text.length > 4096) throw new ApiError(400, 'Bad Request: MESSAGE_TOO_LONG');
      plain.push(text);
    }
    openInline.delete(id);
    fake.inlineAnswers.push({
      inline_query_id: id,
      results,
      ...(p.cache_time !== undefined ? { cache_time: Number(p.cache_time) } : {}),
      ...(p.is_personal !== undefined ? { is_personal: p.is_personal === true || p.is_personal === 'true' } : {}),
      plain,
    });
    for (const wake of [...sentWaiters]) wake();
  }

  function record(
    method: SentMessage['method'],
    chatId: number,
    params: Record<string, any>,
    plain: string,
    extra: Partial<SentMessage> & Origin,
  ) {
    const message = {
      message_id: extra.message_id ?? nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: chatId < 0 ? 'supergroup' : 'private' },
      from: { id: botId, is_bot: true, first_name: 'Hashwatch', username: botUsername },
      ...(method === 'sendPhoto' || method === 'editMessageMedia'
        ? { photo: [{ file_id: `photo${nextMessageId}`, width: 800, height: 400 }], caption: plain }
        : { text: plain }),
      ...(params.reply_markup ? { reply_markup: params.reply_markup } : {}),
    };
    messages.set(`${chatId}:${message.message_id}`, { ...message, rawText: params.text ?? params.caption });
    fake.sent.push({
      method,
      chat_id: chatId,
      message_id: message.message_id,
      text: params.text,
      caption: params.caption,
      parse_mode: params.parse_mode,
      reply_markup: params.reply_markup,
      plain,
      ...(params.reply_parameters?.message_id !== undefined ? { reply_to_message_id: Number(params.reply_parameters.message_id) } : {}),
      ...extra,
    });
    for (const wake of [...sentWaiters]) wake();
    return message;
  }

  /** Where and when a request came in, recorded with what it sent. */
  type Origin = Pick<SentMessage, 'at' | 'via'>;
  const methods: Record<string, (p: Record<string, any>, files: Record<string, Buffer>, origin: Origin) => unknown | Promise<unknown>> = {
    getMe: () => ({
      id: botId,
      is_bot: true,
      first_name: 'Hashwatch',
      username: botUsername,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    }),
    async getUpdates(p) {
      const fault = updatesFaults.shift();
      if (fault?.code === 409)
        throw new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
      if (fault?.code === 401) throw new ApiError(401, 'Unauthorized');
      if (fault?.code === 400) throw new ApiError(400, fault.description);
      if (fault?.code === 502) throw new ApiError(502, 'Bad Gateway');
      if (fake.webhook)
        throw new ApiError(
          409,
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        );
      if (Array.isArray(p.allowed_updates)) allowedUpdates = p.allowed_updates.map(String);
      const offset = Number(p.offset ?? 0);
      const limit = Math.min(Math.max(Number(p.limit ?? 100), 1), 100);
      const timeoutMs = Math.min(Number(p.timeout ?? 0), 50) * 1000;
      const pending = () => {
        // Asking with an offset confirms every earlier update, as in the real API.
        if (offset > 0) while (updates.length && updates[0].update_id < offset) updates.shift();
        return updates.slice(0, limit);
      };
      if (pending().length || timeoutMs === 0 || closed) return pending();
      heldPoll?.(new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
      await new Promise<void>((resolve, reject) => {
        const end = () => {
          pollers.delete(wake);
          clearTimeout(timer);
          if (heldPoll === terminate) heldPoll = undefined;
        };
        const wake = () => {
          end();
          resolve();
        };
        const terminate = (why: ApiError) => {
          end();
          fake.pollConflicts++;
          reject(why);
        };
        const timer = setTimeout(wake, timeoutMs);
        pollers.add(wake);
        heldPoll = terminate;
      });
      return pending();
    },
    sendMessage(p, _files, origin) {
      const chatId = chatIdOf(p);
      const plain = visible(p.text, p.parse_mode, 4096, 'text');
      checkSendable('sendMessage', chatId);
      return record('sendMessage', chatId, p, plain, origin);
    },
    sendPhoto(p, files, origin) {
      const chatId = chatIdOf(p);
      const photo = files.photo;
      if (!photo && typeof p.photo !== 'string') throw new ApiError(400, 'Bad Request: there is no photo in the request');
      const plain = visible(p.caption, p.parse_mode, 1024, 'caption');
      checkSendable('sendPhoto', chatId);
      return record('sendPhoto', chatId, p, plain, { ...origin, photoBytes: photo?.length ?? 0 });
    },
    editMessageText(p, _files, origin) {
      const chatId = chatIdOf(p);
      const messageId = Number(p.message_id);
      const existing = messages.get(`${chatId}:${messageId}`);
      if (!existing) throw new ApiError(400, 'Bad Request: message to edit not found');
      if (existing.text === undefined) throw new ApiError(400, 'Bad Request: there is no text in the message to edit');
      const plain = visible(p.text, p.parse_mode, 4096, 'text');
      if (existing.rawText === p.text && JSON.stringify(existing.reply_markup ?? null) === JSON.stringify(p.reply_markup ?? null)) {
        throw new ApiError(
          400,
          'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
        );
      }
      checkSendable('editMessageText', chatId);
      return record('editMessageText', chatId, p, plain, { ...origin, message_id: messageId });
    },
    editMessageMedia(p, files, origin) {
      const chatId = chatIdOf(p);
      const messageId = Number(p.message_id);
      const existing = messages.get(`${chatId}:${messageId}`);
      if (!existing) throw new ApiError(400, 'Bad Request: message to edit not found');
      if (existing.photo === undefined) throw new ApiError(400, "Bad Request: message can't be edited");
      const media = p.media;
      if (!media || typeof media !== 'object' || media.type !== 'photo')
        throw new ApiError(400, 'Bad Request: media must be an InputMediaPhoto here');
      const attached =
        typeof media.media === 'string' && media.media.startsWith('attach://') ? files[media.media.slice('attach://'.length)] : undefined;
      if (!attached && (typeof media.media !== 'string' || media.media.startsWith('attach://')))
        throw new ApiError(400, 'Bad Request: there is no photo in the request');
      const plain = visible(media.caption, media.parse_mode, 1024, 'caption');
      checkSendable('editMessageMedia', chatId);
      return record('editMessageMedia', chatId, { ...p, caption: media.caption, parse_mode: media.parse_mode }, plain, {
        ...origin,
        message_id: messageId,
        photoBytes: attached?.length ?? 0,
      });
    },
    answerCallbackQuery(p) {
      const fault = takeFault('answerCallbackQuery');
      if (fault) throw new ApiError(fault.code, 'Bad Request: injected failure');
      const id = String(p.callback_query_id ?? '');
      if (!openCallbacks.delete(id))
        throw new ApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
      if (typeof p.text === 'string' && p.text.length > 200) throw new ApiError(400, 'Bad Request: text is too long');
      fake.callbackAnswers.push(p);
      return true;
    },
    answerInlineQuery(p) {
      try {
        checkInlineAnswer(p);
      } catch (err) {
        if (err instanceof ApiError) fake.inlineRefusals.push(err.description);
        throw err;
      }
      return true;
    },
    setMyCommands(p) {
      const fault = takeFault('setMyCommands');
      if (fault?.code === 429)
        throw new ApiError(429, `Too Many Requests: retry after ${fault.retryAfter}`, { retry_after: fault.retryAfter });
      if (fault) throw new ApiError(fault.code, 'Bad Request: injected failure');
      const commands = p.commands;
      if (!Array.isArray(commands) || commands.length > 100)
        throw new ApiError(400, 'Bad Request: commands must be an array of at most 100');
      for (const c of commands) {
        if (typeof c?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command))
          throw new ApiError(400, 'Bad Request: BOT_COMMAND_INVALID');
        if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) {
          throw new ApiError(400, 'Bad Request: command description must be 1-256 characters');
        }
      }
      fake.myCommands = commands;
      return true;
    },
    deleteWebhook() {
      delete fake.webhook;
      return true;
    },
    setWebhook(p) {
      if (typeof p.url !== 'string' || !URL.canParse(p.url)) throw new ApiError(400, 'Bad Request: bad webhook: invalid URL');
      const now = Date.now();
      if (now < nextSetWebhookAt) throw new ApiError(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
      nextSetWebhookAt = now + 1000;
      // https://core.telegram.org/bots/api#setwebhook: allowed_updates works as in getUpdates.
      if (Array.isArray(p.allowed_updates)) allowedUpdates = p.allowed_updates.map(String);
      // Client.cpp: the same URL and secret (no drop_pending_updates) is "Webhook is already set": nothing changes.
      if (fake.webhook?.url === p.url && fake.webhook.secretToken === p.secret_token) return true;
      heldPoll?.(new ApiError(409, 'Conflict: terminated by setWebhook request'));
      fake.webhook = { url: p.url, secretToken: p.secret_token };
      fake.webhookChanges++;
      void pushWebhook();
      return true;
    },
    getChatMember(p) {
      const chatId = chatIdOf(p);
      const userId = Number(p.user_id);
      const list = admins.get(chatId) ?? [];
      const status = list[0] === userId ? 'creator' : list.includes(userId) ? 'administrator' : 'member';
      return { status, user: { id: userId, is_bot: false, first_name: 'User' } };
    },
    sendChatAction(p) {
      chatIdOf(p);
      return true;
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse, via?: string) {
    const origin: Origin = { at: Date.now(), ...(via === undefined ? {} : { via }) };
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      const m = /^\/bot([^/]+)\/([A-Za-z]+)(?:\?.*)?$/.exec(req.url ?? '');
      if (!m) throw new ApiError(404, 'Not Found');
      if (m[1] !== token) throw new ApiError(401, 'Unauthorized');
      const method = m[2]!;
      fake.calls.push({ method, ...origin });
      const impl = methods[method];
      if (!impl) throw new ApiError(404, 'Not Found: method not found');
      const { params, files } = await readBody(req);
      const hang = hangs.get(method) ? method : hangs.get('*') ? '*' : undefined;
      if (hang) {
        hangs.set(hang, hangs.get(hang)! - 1);
        fake.hanging++;
        await new Promise<void>((resolve) => {
          const done = () => {
            hangRelease.delete(done);
            resolve();
          };
          hangRelease.add(done);
          // The client gave up (its deadline): the request is over for both sides.
          res.once('close', done);
        });
        fake.hanging--;
        req.socket.destroy();
        return;
      }
      const result = await impl(params, files, origin);
      reply(200, { ok: true, result });
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.code === 429) fake.count429++;
        reply(err.code, {
          ok: false,
          error_code: err.code,
          description: err.description,
          ...(err.parameters ? { parameters: err.parameters } : {}),
        });
      } else {
        reply(500, { ok: false, error_code: 500, description: `Internal Server Error: ${(err as Error).message}` });
      }
    }
  }

  const listen = async (server: Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const server: Server = createServer((req, res) => void handle(req, res));
  fake.apiRoot = await listen(server);
  return fake;
}
