/**
 * `hashwatch` with no command starts the bot; `hashwatch <command> [--option value] [--json]`
 * runs one command and prints the answer; `hashwatch register-commands` registers Discord commands.
 */
import { writeFileSync } from 'node:fs';
import { commands } from '../commands/index.ts';
import { ConfigError, loadConfig, loadDotEnv, secretsOf, type Config } from './config.ts';
import { splitArgs } from './core/command.ts';
import { findCommand, runCommand } from './core/run.ts';
import { createLogger, silentLogger } from './logger.ts';
import { renderText } from './render/text.ts';
import { createMarket } from './sources/index.ts';
import { VERSION } from './version.ts';

const USAGE = `Usage:
  hashwatch                          start the bot (terminal prompt when no DISCORD_TOKEN / TELEGRAM_BOT_TOKEN)
  hashwatch <command> [options]      run one command, e.g. hashwatch hashprice --price 60000
  hashwatch <command> --json         print the answer's data as JSON
  hashwatch chart hashprice --range 30d --out hashprice.png
  hashwatch register-commands        register Discord slash commands (DISCORD_GUILD_ID for one server)
  hashwatch --version | --help
Commands: ${commands.map((c) => c.name).join(', ')}`;

function configOrExit(): Config {
  try {
    loadDotEnv();
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`hashwatch: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function runOnce(name: string, argv: string[]): Promise<number> {
  const config = configOrExit();
  const json = argv.includes('--json');
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  const rest = argv.filter((a, i) => a !== '--json' && (outIndex < 0 || (i !== outIndex && i !== outIndex + 1)));
  const command = findCommand(commands, name);
  if (!command) {
    process.stderr.write(`hashwatch: unknown command "${name.slice(0, 40)}"\n${USAGE}\n`);
    return 2;
  }
  const logger = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) }) : silentLogger;
  const market = createMarket({ config, logger });
  const reply = await runCommand(commands, name, splitArgs(command, rest), {
    market,
    now: () => Date.now(),
    platform: 'cli',
    version: VERSION,
    services: {},
  }, logger);
  if (out && reply.chart) {
    writeFileSync(out, reply.chart.png);
    process.stderr.write(`wrote ${out} (${reply.chart.png.length} bytes)\n`);
  } else if (out) {
    process.stderr.write(`hashwatch: /${name} has no chart to write to ${out}\n`);
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(reply.tone === 'error' ? { error: reply.title, message: reply.lines?.join('\n') } : reply.data ?? {}, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderText(reply)}\n`);
  }
  return reply.tone === 'error' ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h') {
    process.stdout.write(`${USAGE}\n`);
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
      process.stderr.write('hashwatch: register-commands needs DISCORD_TOKEN\n');
      return 2;
    }
    const { registerCommands } = await import('./adapters/discord/index.ts');
    const logger = createLogger({ level: config.LOG_LEVEL, secrets: secretsOf(config) });
    const result = await registerCommands({ config, logger, commands });
    process.stdout.write(`${result.changed ? 'registered' : 'already up to date:'} ${result.count} commands (${result.scope})\n`);
    return 0;
  }
  return runOnce(first.replace(/^\//, ''), rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`hashwatch: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
