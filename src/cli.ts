/**
 * `hashwatch` with no command starts the bot; `hashwatch <command> [--option value] [--json]`
 * runs one command and prints the answer; `hashwatch register-commands` registers Discord commands.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { commands } from '../commands/index.ts';
import { sayWhileWaiting, waitingNotice } from './adapters/console/waiting.ts';
import { ConfigError, loadConfig, loadDotEnv, secretsOf, sqliteFileOf, type Config } from './config.ts';
import { splitArgs } from './core/command.ts';
import { bashCompletion, usage, zshCompletion } from './cli-help.ts';
import { benchmarksFrom } from './core/metrics/benchmarks.ts';
import { replyJson } from './core/reply.ts';
import { findCommand, runCommand, suggestCommand } from './core/run.ts';
import { createLogger, scrub, silentLogger } from './logger.ts';
import { renderText, stripControls } from './adapters/console/format.ts';
import { createMarket } from './sources/index.ts';
import { VERSION } from './version.ts';

/** Everything printed from here may hold what the user typed: no control sequence reaches the terminal. */
const fail = (message: string): void => void process.stderr.write(`hashwatch: ${stripControls(message)}\n`);

function configOrExit(): Config {
  try {
    loadDotEnv();
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      fail(`configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

/**
 * Charts are PNG: a file named .jpg would hold PNG bytes under a false name, so other names are
 * refused (converting would mean a second image encoder for a case `convert` already covers).
 * Checked before anything is fetched, so a typo costs no wait.
 */
function outProblem(out: string | undefined): string | undefined {
  if (out === undefined || out === '' || out.startsWith('--')) return '--out needs a file name, e.g. --out hashprice.png';
  if (extname(out).toLowerCase() !== '.png') return `--out ${out}: charts are PNG images; name the file .png`;
  const folder = dirname(resolve(out));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) return `--out ${out}: folder ${folder} does not exist`;
  return undefined;
}

async function runOnce(name: string, argv: string[]): Promise<number> {
  const config = configOrExit();
  const json = argv.includes('--json');
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  const rest = argv.filter((a, i) => a !== '--json' && (outIndex < 0 || (i !== outIndex && i !== outIndex + 1)));
  const command = findCommand(commands, name);
  if (!command) {
    const near = suggestCommand(commands, name);
    const guess = near ? ` — did you mean "hashwatch ${near.name}"?` : '';
    fail(
      `unknown command "${name.slice(0, 40)}"${guess}\ncommands: ${commands.map((c) => c.name).join(', ')} (hashwatch --help says more)`,
    );
    return 2;
  }
  const outError = outIndex >= 0 ? outProblem(out) : undefined;
  if (outError) {
    fail(outError);
    return 2;
  }
  const logger =
    config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace'
      ? createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) })
      : silentLogger;
  const market = createMarket({ config, logger });
  const answer = runCommand(
    commands,
    name,
    splitArgs(command, rest),
    {
      market,
      now: () => Date.now(),
      platform: 'cli',
      version: VERSION,
      services: { benchmarks: benchmarksFrom(config) },
    },
    logger,
  );
  // stderr, so `--json` output stays one clean document on stdout.
  const notice = waitingNotice(config.MEMPOOL_API_URL);
  const reply = await sayWhileWaiting(answer, () => process.stderr.write(`${notice}\n`));
  let code = reply.tone === 'error' ? 1 : 0;
  if (out && reply.chart) {
    try {
      writeFileSync(out, reply.chart.png);
      process.stderr.write(`wrote ${stripControls(out)} (${reply.chart.png.length} bytes)\n`);
    } catch (err) {
      fail(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      code = 1;
    }
  } else if (out && reply.tone !== 'error') {
    fail(`/${command.name} has no chart to write to ${out}`);
    code = 2;
  }
  process.stdout.write(json ? `${JSON.stringify(replyJson(reply), null, 2)}\n` : `${renderText(reply)}\n`);
  return code;
}

async function registerOrExplain(config: Config): Promise<number> {
  const { registerCommands } = await import('./adapters/discord/index.ts');
  const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) });
  try {
    const result = await registerCommands({ config, logger, commands });
    process.stdout.write(`${result.changed ? 'registered' : 'already up to date:'} ${result.count} commands (${result.scope})\n`);
    return 0;
  } catch (err) {
    // Name what to check, as `npm start` does for a failed login.
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const check = config.DISCORD_GUILD_ID
      ? 'check DISCORD_TOKEN, DISCORD_API_URL and DISCORD_GUILD_ID (the bot must be in that server)'
      : 'check DISCORD_TOKEN and DISCORD_API_URL';
    fail(`registering Discord commands failed (${scrub(reason, secretsOf(config))}); ${check}`);
    return 1;
  }
}

async function backup(dest: string | undefined): Promise<number> {
  if (!dest) {
    fail('backup needs a file to write, e.g. hashwatch backup hashwatch-2025-04-01.db');
    return 2;
  }
  const config = configOrExit();
  const path = sqliteFileOf(config);
  if (path === undefined) {
    fail(
      'backup copies the SQLite file; DATABASE_URL is PostgreSQL: back it up with pg_dump (e.g. pg_dump --format=custom "$DATABASE_URL" > hashwatch.dump)',
    );
    return 2;
  }
  const { backupDatabase, StoreError } = await import('./store/open.ts');
  try {
    const { bytes } = await backupDatabase(path, dest);
    process.stdout.write(`backed up ${path} to ${stripControls(dest)} (${bytes.toLocaleString('en-US')} bytes)\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    fail(err.message);
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (first === 'completion') {
    const shell = rest[0];
    if (shell !== 'bash' && shell !== 'zsh') {
      fail('completion needs a shell: hashwatch completion bash (or zsh), e.g. source <(hashwatch completion bash)');
      return 2;
    }
    process.stdout.write(shell === 'bash' ? bashCompletion() : zshCompletion());
    return 0;
  }
  if (first === undefined || first === 'start') {
    const { startBot } = await import('./main.ts');
    await startBot(configOrExit());
    return 0;
  }
  if (first === 'register-commands') {
    const config = configOrExit();
    if (!config.DISCORD_TOKEN) {
      fail('register-commands needs DISCORD_TOKEN (the bot token from the Discord developer portal)');
      return 2;
    }
    return registerOrExplain(config);
  }
  if (first === 'backup') return backup(rest[0]);
  return runOnce(first.replace(/^\//, ''), rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    fail(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
