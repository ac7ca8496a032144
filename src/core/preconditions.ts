/**
 * What a command declares before it runs (`needs`, `personal`, `adminOnly` on its declaration),
 * checked here once for every platform, as Sapphire does with its precondition resolvers: commands
 * and adapters never repeat these checks. The first unmet one answers, always in the same words.
 */
import type { Command, CommandContext, Needs } from './command.ts';
import { errorReply, type Reply } from './reply.ts';

const NEED_ORDER = ['alerts', 'digests', 'account', 'user'] as const satisfies readonly (keyof Needs)[];

function unmet(need: keyof Needs, ctx: CommandContext): boolean {
  if (need !== 'user') return !ctx.services[need];
  // A one-shot shell run has no asker to keep anything for.
  return !ctx.user || ctx.user.platform === 'cli';
}

export async function preconditionRefusal(
  command: Command,
  args: Record<string, unknown>,
  ctx: CommandContext,
): Promise<Reply | undefined> {
  const needs = command.needs?.(args as never);
  for (const need of NEED_ORDER) {
    const refusal = needs?.[need];
    if (refusal && unmet(need, ctx)) return errorReply(refusal.title, refusal.text);
  }
  const chat = ctx.chat;
  if (command.personal && chat && chat.kind !== 'private' && !chat.privateReplies) {
    return errorReply('Send this in a private chat', `Send /${command.name} to me in a private chat: what is yours stays between us.`);
  }
  if (command.adminOnly && chat) {
    if (chat.postable === false) {
      return errorReply(
        `/${command.name} does not work here`,
        'It changes how I post in a server, and I am not a member here (you installed me for yourself). Use it in a server I was added to.',
      );
    }
    if (!(await chat.isAdmin())) {
      return errorReply(`/${command.name} is for channel admins`, `Changing this needs ${chat.adminRule ?? 'admin rights in this chat'}.`);
    }
  }
  return undefined;
}
