/**
 * Messages and button presses → command runs → replies (inline queries are inline.ts). Nothing
 * here throws to the intake: a failed update is logged and the chat told.
 */
import type { Telegram } from 'telegraf';
import type { CallbackQuery, Message, Update } from 'telegraf/types';
import type { Logger } from '../../logger.ts';
import { findCommand, resumeDeliveries, runCommand, withLines } from '../../core/run.ts';
import { splitArgs, tokenize, type Command, type CommandContext } from '../../core/command.ts';
import { errorReply, type Reply } from '../../core/reply.ts';
import type { askerOf, Who } from './asker.ts';
import { parseCommand } from './commands.ts';
import type { TelegramDelivery } from './delivery.ts';
import { decodeCallback } from './format.ts';
import { STALE_BUTTON, startReply } from './replies.ts';

export interface UpdateDeps {
  telegram: Telegram;
  commands: readonly Command[];
  makeContext(who: Who): CommandContext;
  who: ReturnType<typeof askerOf>;
  delivery: TelegramDelivery;
  botUsername: string;
  log: Logger;
  /** "typing…" while a command runs. */
  showTyping(chatId: number): void;
  /** A button press not answered by then gets its callback answered at once (the client spins until then). */
  answerCallbackAfterMs: number;
}

export function createUpdateHandler(deps: UpdateDeps): (update: Update) => Promise<void> {
  const { commands, delivery, log, who } = deps;

  async function onMessage(msg: Message) {
    if (!('text' in msg)) return;
    const chatId = String(msg.chat.id);
    const isPrivate = msg.chat.type === 'private';
    const parsed = parseCommand(msg.text, deps.botUsername);
    if (!parsed) {
      if (isPrivate && !msg.text.startsWith('/')) {
        await delivery.send(chatId, {
          title: 'Commands start with /',
          lines: ['For example /hashprice. /help lists them all.'],
          sections: [],
          footer: [],
          tone: 'neutral',
        });
      }
      return;
    }
    const command = findCommand(commands, parsed.name);
    const context = () => deps.makeContext(who(msg.from, msg.chat, 'sender_chat' in msg ? msg.sender_chat?.id : undefined));
    let reply: Reply;
    if (!command && parsed.name === 'start') {
      // Unblocking a bot sends /start: deliveries paused while it was blocked resume here.
      const ctx = context();
      reply = withLines(startReply(commands, ctx.version), await resumeDeliveries(ctx, log));
    } else if (!command && !isPrivate && !parsed.addressed) {
      return; // Probably meant for another bot in the group.
    } else {
      deps.showTyping(msg.chat.id);
      const raw = command ? splitArgs(command, tokenize(parsed.rest)) : {};
      reply = await runCommand(commands, parsed.name, raw, context(), log);
    }
    const result = await delivery.send(chatId, reply, isPrivate ? undefined : msg.message_id);
    if (!result.ok) {
      log.warn({ chatId, command: parsed.name, reason: result.reason, permanent: result.permanent }, 'telegram: reply not delivered');
    }
  }

  async function onCallback(query: CallbackQuery) {
    let answer: { text?: string; show_alert?: boolean } = {};
    let answered: Promise<void> | undefined;
    const sendAnswer = (a: { text?: string; show_alert?: boolean }) =>
      (answered ??= deps.telegram.answerCbQuery(query.id, a.text, a.show_alert ? { show_alert: true } : {}).then(
        () => undefined,
        (err: unknown) => {
          log.warn({ err: (err as Error).message }, 'telegram: answerCallbackQuery failed');
        },
      ));
    // A slow command (a chart, a cold cache): stop the spinner now; the answer follows as an edit.
    const early = setTimeout(() => void sendAnswer({}), deps.answerCallbackAfterMs);
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

  return async function handle(update: Update) {
    try {
      if ('message' in update) await onMessage(update.message);
      else if ('callback_query' in update) await onCallback(update.callback_query);
    } catch (err) {
      log.error({ err, updateId: update.update_id }, 'telegram: update handler failed');
      const chat = 'message' in update ? update.message.chat : undefined;
      if (chat) {
        await delivery.send(
          String(chat.id),
          errorReply(
            'Sorry, that failed',
            'Something went wrong on our side while answering. It has been logged; please try again in a minute.',
          ),
        );
      }
    }
  };
}
