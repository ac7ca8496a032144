/**
 * The single entry every adapter uses to run a command: look it up, validate options, check its
 * preconditions, run it,
 * and turn any failure into a Reply. It never throws, so no adapter can crash on a command.
 */
import { parseOptions, type Command, type CommandContext } from './command.ts';
import { preconditionRefusal } from './preconditions.ts';
import { errorReply, type Reply } from './reply.ts';
import { closest } from './suggest.ts';
import { COMMAND_DEADLINE_MS, withDeadline } from './deadline.ts';
import { UpstreamError } from './market.ts';
import type { CommandOutcome } from './services.ts';

/** The little of a logger that running a command needs (pino's Logger is one); keeps core free of the logging library. */
export interface CommandLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const commandName = (typed: string) => typed.trim().replace(/^\//, '').toLowerCase();

export function findCommand(commands: readonly Command[], name: string): Command | undefined {
  const wanted = commandName(name);
  return commands.find((c) => c.name === wanted);
}

/**
 * A user who writes to the bot may be reachable again after their direct messages failed: their
 * paused deliveries resume, and these lines say so. Never throws (a failed write is logged).
 */
export async function resumeDeliveries(ctx: CommandContext, log?: CommandLog): Promise<string[]> {
  const account = ctx.services.account;
  if (!account || !ctx.user) return [];
  try {
    return await account.welcomeBack({ platform: ctx.user.platform, id: ctx.user.id }, ctx.chat?.kind);
  } catch (err) {
    log?.error({ err }, 'could not resume deliveries for a returning user');
    return [];
  }
}

export function withLines(reply: Reply, lines: readonly string[]): Reply {
  return lines.length ? { ...reply, lines: [...(reply.lines ?? []), ...lines] } : reply;
}

/** The command a mistyped name most likely meant ("hashprise" → hashprice), or undefined. */
export function suggestCommand(commands: readonly Command[], name: string): Command | undefined {
  const near = closest(
    commandName(name),
    commands.map((c) => c.name),
  );
  return commands.find((c) => c.name === near);
}

/** "There is no /hashprise — did you mean /hashprice?" with the command list, for chats and help. */
export function unknownCommandText(commands: readonly Command[], name: string): string {
  const bare = name.trim().replace(/^\//, '');
  const shown = bare.length > 32 ? `${bare.slice(0, 31)}…` : bare;
  const near = suggestCommand(commands, name);
  const guess = near ? ` — did you mean /${near.name}?` : '.';
  return `There is no /${shown}${guess} Commands: ${commands.map((c) => `/${c.name}`).join(', ')}`;
}

export async function runCommand(
  commands: readonly Command[],
  name: string,
  raw: Record<string, unknown>,
  ctx: CommandContext,
  log?: CommandLog,
): Promise<Reply> {
  const { reply, command, outcome } = await answer(commands, name, raw, ctx, log);
  observe(ctx, command, outcome, log);
  // After the command: /alert list still shows why rules were paused, and /forget leaves nothing to resume.
  return withLines(reply, await resumeDeliveries(ctx, log));
}

/**
 * The asker's /settings (theirs over the chat's), read once per command just before it runs: the
 * store answers asynchronously, so the adapter's context cannot carry them. Prefs already in the
 * context are kept. A read that fails leaves the defaults, never the answer.
 */
async function withPrefs(ctx: CommandContext, log?: CommandLog): Promise<CommandContext> {
  const settings = ctx.services.settings;
  if (ctx.prefs || !settings) return ctx;
  try {
    return { ...ctx, prefs: await settings.prefsFor(ctx.user?.platform ?? ctx.platform, ctx.user?.id, ctx.chat?.id) };
  } catch (err) {
    log?.warn({ err: (err as Error).message }, 'settings unreadable; answering in USD and UTC');
    return ctx;
  }
}

/** The operator's counters must never cost a user their answer. */
function observe(ctx: CommandContext, command: string, outcome: CommandOutcome, log?: CommandLog): void {
  try {
    ctx.services.observe?.answered(command, ctx.platform, outcome);
  } catch (err) {
    log?.error({ err }, 'could not count a command');
  }
}

/** A reply, and how it came about (for the operator's counters; the user sees only the reply). */
interface Answer {
  reply: Reply;
  /** The command's name; '' when the name matched none. */
  command: string;
  outcome: CommandOutcome;
}

async function answer(
  commands: readonly Command[],
  name: string,
  raw: Record<string, unknown>,
  asked: CommandContext,
  log?: CommandLog,
): Promise<Answer> {
  const command = findCommand(commands, name);
  if (!command) {
    return { reply: errorReply('Unknown command', unknownCommandText(commands, name)), command: '', outcome: 'unknown' };
  }
  const parsed = parseOptions(command, raw);
  if (!parsed.ok) {
    const reply = errorReply(`/${command.name}: check the options`, parsed.message);
    reply.lines = [...parsed.message.split('\n'), `Example: ${command.examples[0] ?? `/${command.name}`}`];
    return { reply, command: command.name, outcome: 'invalid' };
  }
  const refused = await preconditionRefusal(command, parsed.args, asked);
  if (refused) return { reply: refused, command: command.name, outcome: 'refused' };
  const ctx = await withPrefs(asked, log);
  if (!command.shared) return execute(command, parsed.args, ctx, log);
  // A burst of identical asks (a cold start with users waiting) shares one run: computed per ask,
  // every reply waited until all of them had been computed (the CPU profile of 10,000 cold
  // /hashprice). Keyed per market, so separate markets (tests, what-ifs) never mix.
  let inflight = sharedRuns.get(ctx.market);
  if (!inflight) sharedRuns.set(ctx.market, (inflight = new Map()));
  // The asker's /settings change the reply (currency, zone), so asks share a run only with the same ones.
  const key = `${command.name}\0${ctx.platform}\0${ctx.version}\0${JSON.stringify(parsed.args)}\0${JSON.stringify(ctx.prefs ?? null)}`;
  const running = inflight.get(key);
  if (running) return running;
  const run = execute(command, parsed.args, ctx, log);
  inflight.set(key, run);
  void run.finally(() => inflight.delete(key));
  return run;
}

const sharedRuns = new WeakMap<CommandContext['market'], Map<string, Promise<Answer>>>();

async function execute(command: Command, args: Record<string, unknown>, ctx: CommandContext, log?: CommandLog): Promise<Answer> {
  try {
    // Every upstream request this command makes shares one deadline (a hanging upstream costs it once).
    const reply = await withDeadline(COMMAND_DEADLINE_MS, () => command.run(ctx, args as never));
    return { reply, command: command.name, outcome: 'ok' };
  } catch (err) {
    if (err instanceof UpstreamError) {
      log?.warn({ command: command.name, resource: err.resource, err: err.message }, 'upstream unavailable');
      return { reply: errorReply(`/${command.name}: data unavailable`, err.message), command: command.name, outcome: 'upstream' };
    }
    log?.error({ command: command.name, err }, 'command failed');
    const reply = errorReply(
      `/${command.name} failed`,
      'Something went wrong on our side while building this answer. It has been logged; please try again in a minute.',
    );
    return { reply, command: command.name, outcome: 'failed' };
  }
}
