/**
 * Who wrote and where, as commands see it (CommandContext's user and chat). Whether the asker is a
 * chat admin costs a Bot API call, so it is asked only when a command needs it, and once.
 */
import type { Telegram } from 'telegraf';
import type { User } from 'telegraf/types';
import type { CommandContext } from '../../core/command.ts';
import type { Logger } from '../../logger.ts';

// https://core.telegram.org/bots/api#chatmember: the statuses that administer a chat.
const ADMIN_STATUSES = new Set(['creator', 'administrator']);
type Chat = NonNullable<CommandContext['chat']>;
export type Who = { user: CommandContext['user']; chat: Chat };
const kindOf = (type: string): Chat['kind'] => (type === 'private' ? 'private' : type === 'channel' ? 'channel' : 'group');

export function askerOf(
  telegram: Telegram,
  log: Logger,
): (from: User | undefined, chat: { id: number; type: string }, senderChatId?: number) => Who {
  return (from, chat, senderChatId) => {
    const kind = kindOf(chat.type);
    let admin: Promise<boolean> | undefined;
    const isAdmin = () => {
      if (kind === 'private') return Promise.resolve(true);
      // An anonymous group admin posts as the group itself.
      if (senderChatId === chat.id) return Promise.resolve(true);
      if (!from) return Promise.resolve(false);
      admin ??= telegram.getChatMember(chat.id, from.id).then(
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
}
