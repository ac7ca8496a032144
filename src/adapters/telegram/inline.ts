/**
 * Telegram inline mode: "@bot hashprice" typed in any chat offers the answer as a card the user can
 * send (https://core.telegram.org/bots/inline). An inline query belongs to no chat, so commands run
 * without a user or chat: no admin checks, no personal data, and the same answer suits everyone
 * (is_personal false). A user typing sends one query per keystroke; only their newest one is worth
 * answering, so a query still waiting is replaced by the next, and a running one that was overtaken
 * is not answered.
 */
import type { InlineQuery, InlineQueryResultArticle } from 'telegraf/types';
import type { Logger } from '../../logger.ts';
import type { Command, CommandContext } from '../../core/command.ts';
import { splitArgs, tokenize } from '../../core/command.ts';
import type { Reply } from '../../core/reply.ts';
import { findCommand, runCommand } from '../../core/run.ts';
import { closest } from '../../core/suggest.ts';
import { renderTelegram, splitHtml, TEXT_LIMIT } from './format.ts';
import { TTL_MS } from '../../sources/index.ts';

/**
 * Commands that make no sense as a card sent into someone else's chat: personal state (alert,
 * digest subscriptions, forget, settings) and pictures (chart: an inline photo needs a hosted URL
 * or a file_id, https://core.telegram.org/bots/api#inlinequeryresultphoto, and we host none).
 */
const NOT_INLINE = new Set(['alert', 'digest', 'forget', 'settings', 'chart']);
/** What an empty query offers: the figures people ask for most. */
const DEFAULT_CARDS = ['hashprice', 'price', 'difficulty', 'fees'];
/** Cards offered for a prefix ("has" → hashprice, hashrate): enough to pick from, few upstream reads. */
const MAX_PREFIX_CARDS = 4;
/** https://core.telegram.org/bots/api#answerinlinequery: "No more than 50 results per query are allowed." */
const MAX_RESULTS = 50;
/** https://core.telegram.org/bots/api#inlinequeryresultarticle: id is "1-64 bytes". */
const MAX_ID_BYTES = 64;
/**
 * Seconds Telegram may cache a card. Market figures are never cached for longer than the chain tip
 * (the shortest TTL, src/sources/index.ts), and a failed or unfinished answer only for a moment.
 */
const MAX_CACHE_SEC = Math.round(TTL_MS.tip / 1000);
const RETRY_CACHE_SEC = 1;

export interface InlineDeps {
  commands: readonly Command[];
  /** A context with neither user nor chat: inline queries are not tied to one. */
  makeContext(): CommandContext;
  answer(queryId: string, results: InlineQueryResultArticle[], extra: { cache_time: number; is_personal: boolean }): Promise<unknown>;
  log: Logger;
  /** Cards not ready by then are replaced by "being fetched, try again"; their fetch goes on and fills the cache. */
  answerWithinMs: number;
  botUsername: string;
}

export type Push = (key: string, job: () => Promise<void>) => boolean;

export interface InlineAnswer {
  results: InlineQueryResultArticle[];
  cacheTimeSec: number;
}

function inlineCommands(commands: readonly Command[]): Command[] {
  return commands.filter((c) => !NOT_INLINE.has(c.name) && !c.personal && !c.adminOnly);
}

/** Inline queries of every user; `accept` queues at most one waiting query per user. */
export function createInlineQueries(deps: InlineDeps) {
  const newest = new Map<string, InlineQuery>();
  const waiting = new Set<string>();

  async function handle(user: string) {
    waiting.delete(user);
    const query = newest.get(user);
    if (!query) return;
    try {
      const { results, cacheTimeSec } = await answerQuery(deps, query.query);
      if (newest.get(user) !== query) return; // overtaken while it ran: the user sees only the newest
      newest.delete(user);
      await deps.answer(query.id, results, { cache_time: cacheTimeSec, is_personal: false });
    } catch (err) {
      if (newest.get(user) === query) newest.delete(user);
      deps.log.warn({ err: (err as Error).message }, 'telegram: inline query not answered');
    }
  }

  return {
    /**
     * Keyed by the user's id, which is also their private chat's id: typing inline and writing to
     * the bot share one flood bound.
     */
    accept(query: InlineQuery, push: Push) {
      const user = String(query.from.id);
      newest.set(user, query);
      if (waiting.has(user)) return; // the waiting job will take this newer query instead
      waiting.add(user);
      if (!push(user, () => handle(user))) {
        waiting.delete(user);
        newest.delete(user);
      }
    },
  };
}

type Card = { reply: Reply; name: string; hint?: string } | 'late';

/** The cards for one query text, built within deps.answerWithinMs. */
async function answerQuery(deps: Omit<InlineDeps, 'answer'>, text: string): Promise<InlineAnswer> {
  const usable = inlineCommands(deps.commands);
  const [first = '', ...rest] = tokenize(text.trim());
  const typed = first.replace(/^\//, '').toLowerCase();
  const run = (command: Command, tokens: readonly string[], hint?: string) =>
    runCommand(deps.commands, command.name, splitArgs(command, tokens), deps.makeContext(), deps.log).then((reply) => ({
      reply,
      name: command.name,
      ...(hint ? { hint } : {}),
    }));

  let jobs: Promise<Card>[];
  if (!typed) {
    jobs = DEFAULT_CARDS.flatMap((name) => findCommand(usable, name) ?? []).map((c) => run(c, []));
  } else {
    const exact = findCommand(usable, typed);
    const prefixed = usable.filter((c) => c.name.startsWith(typed)).slice(0, MAX_PREFIX_CARDS);
    const near = findCommand(
      usable,
      closest(
        typed,
        usable.map((c) => c.name),
      ) ?? '',
    );
    if (findCommand(deps.commands, typed) && !exact) {
      return helpAnswer(usable, deps.botUsername, `/${typed} works in a chat with @${deps.botUsername}, not inline.`);
    }
    if (exact) jobs = [run(exact, rest)];
    else if (prefixed.length) jobs = prefixed.map((c) => run(c, rest));
    else if (near) jobs = [run(near, rest, `Did you mean ${near.name}?`)];
    else return helpAnswer(usable, deps.botUsername, `There is no command "${typed.slice(0, 32)}".`);
  }

  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), deps.answerWithinMs)));
  const cards = await Promise.all(jobs.map((job) => Promise.race([job, late]))).finally(() => clearTimeout(timer));

  const results: InlineQueryResultArticle[] = [];
  let cacheTimeSec = MAX_CACHE_SEC;
  for (const card of cards) {
    if (card === 'late' || card.reply.tone === 'error') cacheTimeSec = RETRY_CACHE_SEC;
    else cacheTimeSec = Math.min(cacheTimeSec, secondsFresh(card.reply));
    if (card !== 'late') results.push(article(`${results.length}-${card.name}`, card.reply, card.hint));
  }
  if (cards.includes('late')) results.push(fetchingCard(results.length));
  return { results: results.slice(0, MAX_RESULTS), cacheTimeSec };
}

/**
 * Seconds until the oldest figure of a reply is due for a refresh, counted with the tip's TTL (the
 * shortest), so Telegram never shows a card older than a /command would be; at least 1 s.
 */
function secondsFresh(reply: Reply): number {
  const sources = reply.provenance ?? [];
  if (sources.some((s) => s.stale)) return RETRY_CACHE_SEC;
  const oldest = Math.max(0, ...sources.map((s) => s.ageSec));
  return Math.max(RETRY_CACHE_SEC, Math.min(MAX_CACHE_SEC, MAX_CACHE_SEC - oldest));
}

function article(id: string, reply: Reply, hint?: string): InlineQueryResultArticle {
  // Buttons are left off: pressed on a sent inline message they arrive without the message to edit.
  const { html } = renderTelegram({ ...reply, buttons: [] });
  const first = reply.sections.flatMap((s) => s.fields)[0];
  const summary = first ? `${first.label}: ${first.value}` : (reply.lines?.[0] ?? '');
  if (Buffer.byteLength(id) > MAX_ID_BYTES) throw new Error(`inline result id too long: ${id}`);
  return {
    type: 'article',
    id,
    title: reply.title,
    description: [hint, summary].filter(Boolean).join(' — ').slice(0, 200),
    input_message_content: {
      // https://core.telegram.org/bots/api#inputtextmessagecontent: message_text is 1-4096
      // characters after entities parsing; a cut at TEXT_LIMIT of the HTML keeps it within that.
      message_text: splitHtml(html, TEXT_LIMIT)[0]!,
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    },
  };
}

function fetchingCard(index: number): InlineQueryResultArticle {
  return article(`${index}-fetching`, {
    title: 'Data is being fetched',
    lines: ['The figures are on their way: type the query again in a few seconds.'],
    sections: [],
    footer: [],
    tone: 'neutral',
  });
}

function helpAnswer(usable: readonly Command[], botUsername: string, why: string): InlineAnswer {
  const names = usable.filter((c) => c.name !== 'help').map((c) => c.name);
  const card = article('0-help', {
    title: 'How to use hashwatch inline',
    lines: [why, `Type @${botUsername} and one of: ${names.join(', ')}. For example: @${botUsername} price eur`],
    sections: [],
    footer: [],
    tone: 'neutral',
  });
  return { results: [card], cacheTimeSec: MAX_CACHE_SEC };
}
