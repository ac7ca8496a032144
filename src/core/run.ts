/**
 * The single entry every adapter uses to run a command: look it up, validate options, run it,
 * and turn any failure into a Reply. It never throws, so no adapter can crash on a command.
 */
import type { Logger } from 'pino';
import { parseOptions, type Command, type CommandContext } from './command.ts';
import { errorReply, type Reply } from './reply.ts';
import { UpstreamError } from '../sources/types.ts';

export function findCommand(commands: readonly Command[], name: string): Command | undefined {
  const wanted = name.trim().replace(/^\//, '').toLowerCase();
  return commands.find((c) => c.name === wanted);
}

export async function runCommand(
  commands: readonly Command[],
  name: string,
  raw: Record<string, unknown>,
  ctx: CommandContext,
  log?: Logger,
): Promise<Reply> {
  const command = findCommand(commands, name);
  if (!command) {
    const shown = name.length > 32 ? `${name.slice(0, 31)}…` : name;
    return errorReply(
      'Unknown command',
      `There is no /${shown}. Commands: ${commands.map((c) => `/${c.name}`).join(', ')}`,
    );
  }
  const parsed = parseOptions(command, raw);
  if (!parsed.ok) {
    const reply = errorReply(`/${command.name}: check the options`, parsed.message);
    reply.lines = [...parsed.message.split('\n'), `Example: ${command.examples[0] ?? `/${command.name}`}`];
    return reply;
  }
  if (!command.shared) return execute(command, parsed.args, ctx, log);
  // A burst of identical asks (a cold start with users waiting) shares one run: computed per ask,
  // every reply waited until all of them had been computed (the CPU profile of 10,000 cold
  // /hashprice). Keyed per market, so separate markets (tests, what-ifs) never mix.
  let inflight = sharedRuns.get(ctx.market);
  if (!inflight) sharedRuns.set(ctx.market, (inflight = new Map()));
  const key = `${command.name}\0${ctx.platform}\0${ctx.version}\0${JSON.stringify(parsed.args)}`;
  const running = inflight.get(key);
  if (running) return running;
  const run = execute(command, parsed.args, ctx, log);
  inflight.set(key, run);
  void run.finally(() => inflight.delete(key));
  return run;
}

const sharedRuns = new WeakMap<CommandContext['market'], Map<string, Promise<Reply>>>();

async function execute(command: Command, args: Record<string, unknown>, ctx: CommandContext, log?: Logger): Promise<Reply> {
  try {
    return await command.run(ctx, args as never);
  } catch (err) {
    if (err instanceof UpstreamError) {
      log?.warn({ command: command.name, resource: err.resource, err: err.message }, 'upstream unavailable');
      return errorReply(`/${command.name}: data unavailable`, err.message);
    }
    log?.error({ command: command.name, err }, 'command failed');
    return errorReply(
      `/${command.name} failed`,
      'Something went wrong on our side while building this answer. It has been logged; please try again in a minute.',
    );
  }
}
