/**
 * The terminal as a chat: type /hashprice, /help … at a prompt. Lets anyone try the bot before
 * creating a Discord or Telegram app, and works with piped input too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { splitArgs, tokenize, type Command, type CommandContext } from '../../core/command.ts';
import { findCommand, runCommand } from '../../core/run.ts';
import type { Reply } from '../../core/reply.ts';
import type { PlatformAdapter } from '../../core/platform.ts';
import { renderText, stripControls } from './format.ts';
import { sayWhileWaiting } from './waiting.ts';
import { CONSOLE_USER, consoleSender } from './sender.ts';

export interface ConsoleDeps {
  commands: readonly Command[];
  makeContext(): CommandContext;
  logger: Logger;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Where the bot's log lines go while the prompt owns the terminal. */
  logFile?: string;
  /** Printed once when an answer takes over a second, e.g. "fetching from mempool.space…". */
  waitingNotice?: string;
  /** Milliseconds before the waiting notice (tests shorten it). */
  waitingAfterMs?: number;
  /** Where charts asked for at the prompt are saved (a terminal cannot show a PNG). */
  chartsDir?: string;
}

/** "hashprice-30d-20250401-210700.png": the chart's own name, stamped so a new one never replaces the last. */
function chartFileName(reply: Reply, nowMs: number): string {
  const base =
    reply
      .chart!.filename.replace(/^hashwatch-/, '')
      .replace(/\.png$/i, '')
      .replace(/[^\w.-]+/g, '_') || 'chart';
  const stamp = new Date(nowMs).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `${base}-${stamp}.png`;
}

/** Saves the reply's chart under chartsDir and says where, or why not, in one line. */
function saveChart(reply: Reply, chartsDir: string, nowMs: number): string {
  const path = join(chartsDir, chartFileName(reply, nowMs));
  try {
    mkdirSync(chartsDir, { recursive: true });
    writeFileSync(path, reply.chart!.png);
    return `Chart saved to ${path}`;
  } catch (err) {
    return `Could not save the chart to ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); from a shell: hashwatch chart <metric> --out file.png`;
  }
}

export async function handleConsoleLine(
  line: string,
  deps: Pick<ConsoleDeps, 'commands' | 'makeContext' | 'logger' | 'chartsDir'>,
): Promise<string | undefined> {
  const text = line.trim();
  if (!text) return undefined;
  const [head = '', ...rest] = tokenize(text);
  const name = head.replace(/^\//, '');
  const command = findCommand(deps.commands, name);
  const raw = command ? splitArgs(command, rest) : {};
  const ctx = deps.makeContext();
  const reply = await runCommand(deps.commands, name, raw, ctx, deps.logger);
  const rendered = renderText(reply);
  return reply.chart && deps.chartsDir ? `${rendered}\n${stripControls(saveChart(reply, deps.chartsDir, ctx.now()))}` : rendered;
}

/** Resolves when the user quits or input ends. */
export function runConsole(deps: ConsoleDeps): Promise<void> {
  const output = deps.output ?? process.stdout;
  const rl = createInterface({
    input: deps.input ?? process.stdin,
    output,
    terminal: Boolean((deps.input ?? process.stdin) === process.stdin && process.stdin.isTTY),
  });
  output.write('hashwatch — Bitcoin mining numbers in your terminal. Try /hashprice or /help; /quit to leave.\n');
  if (deps.logFile) output.write(`(log: ${deps.logFile})\n`);
  rl.setPrompt('> ');
  rl.prompt();
  let queue = Promise.resolve();
  return new Promise((resolve) => {
    rl.on('line', (line) => {
      if (/^\/?(quit|exit)$/i.test(line.trim())) {
        rl.close();
        return;
      }
      // Answers print in the order asked, even when an earlier one waits on the network.
      queue = queue.then(async () => {
        const answer = handleConsoleLine(line, deps);
        const notice = deps.waitingNotice;
        const text = notice ? await sayWhileWaiting(answer, () => output.write(`${notice}\n`), deps.waitingAfterMs) : await answer;
        if (text) output.write(`${text}\n\n`);
        rl.prompt();
      });
    });
    rl.on('close', () => {
      void queue.then(() => resolve());
    });
  });
}

/**
 * The terminal prompt as one of main's platforms (the one used when no platform token is set).
 * The prompt opens once alerts and digests run: piped input asks at once.
 */
export function consolePlatform(deps: Omit<ConsoleDeps, 'makeContext'>): PlatformAdapter {
  return {
    platform: 'console',
    async start(makeContext, ready) {
      const chat = { id: CONSOLE_USER.id, kind: 'private' as const, isAdmin: async () => true };
      const ended = ready
        .then(() => runConsole({ ...deps, makeContext: () => makeContext({ user: CONSOLE_USER, chat }) }))
        .then(() => undefined);
      // Nothing to stop: the prompt ends the process when it closes.
      return { sender: consoleSender(), ended, stop: async () => undefined };
    },
  };
}
