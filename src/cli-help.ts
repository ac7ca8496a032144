/**
 * `hashwatch --help` and `hashwatch completion bash|zsh`, both generated from the command
 * declarations and the configuration schema, so a new command, option or variable shows up here
 * without anyone remembering to add it.
 */
import { commands } from '../commands/index.ts';
import { CONFIG_VARIABLES, loadConfig, type Config } from './config.ts';
import type { Command } from './core/command.ts';

/** Subcommands of the CLI itself, beside the user commands. */
const CLI_ONLY = ['start', 'register-commands', 'backup', 'completion'] as const;
const GLOBAL_FLAGS = ['--help', '--version'] as const;

/** One line per variable; a test checks that every schema variable has one and no other exists. */
export const VARIABLE_HELP: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent',
  MEMPOOL_API_URL: 'mempool REST base (a self-hosted mempool works the same)',
  PRICE_FALLBACK_URL: 'price fallback when mempool is down (Coinbase API base; set empty for none)',
  CHAIN_FALLBACK_URL: 'height/difficulty/hashrate fallback (blockchain.info base; set empty for none)',
  HTTP_TIMEOUT_MS: 'timeout of one upstream request, ms',
  DISCORD_TOKEN: 'Discord bot token; empty disables Discord',
  DISCORD_API_URL: 'Discord REST base (a proxy or a local stand-in)',
  DISCORD_APP_ID: 'Discord application id; read at login when empty',
  DISCORD_GUILD_ID: 'register slash commands to this server only (development)',
  DISCORD_SHARDS: "Discord shards this process runs: auto (Discord's recommended count, all here) or ids like 0-1 or 2,3",
  DISCORD_SHARD_COUNT: 'total Discord shards over all instances; required with a DISCORD_SHARDS list',
  TELEGRAM_BOT_TOKEN: 'Telegram token from @BotFather; empty disables Telegram',
  TELEGRAM_API_ROOT: 'Telegram Bot API root',
  TELEGRAM_WEBHOOK_URL: 'public https URL for webhook mode; long polling when empty',
  TELEGRAM_WEBHOOK_SECRET: 'secret for webhook requests (required with TELEGRAM_WEBHOOK_URL)',
  TELEGRAM_WEBHOOK_PORT: 'local port of the webhook server',
  DATABASE_PATH: 'SQLite database file (when DATABASE_URL is unset)',
  DATABASE_URL: 'postgres://user:password@host:5432/db for PostgreSQL (several instances), or sqlite:<file>',
  MAX_ALERTS_PER_USER: 'most alert rules one user may have',
  DIGEST_DEFAULT_TIME: 'daily digest time when /digest subscribe names none (HH:MM)',
  POLL_INTERVAL_SEC: 'how often upstream is polled for a new block, seconds',
  HTTP_PORT: 'port of /healthz, /readyz and /metrics; empty: no such server',
  HTTP_HOST: 'address that server listens on (127.0.0.1: this machine only)',
  AI_LEASE_USD_PER_MW_YEAR: 'AI/HPC lease rate /site assumes, USD per MW-year (empty: the cited default)',
  REFERENCE_POWER_USD_PER_KWH: 'power price where none is given (/site), USD/kWh (empty: the cited default)',
};

/** The flags a command takes on the command line: its options, --json, and --out for charts. */
function flagsOf(command: Command): string[] {
  const flags = Object.keys(command.options).map((name) => `--${name}`);
  flags.push('--json');
  if (command.name === 'chart') flags.push('--out');
  return flags;
}

function variablesHelp(): string[] {
  const defaults = loadConfig({}) as Record<keyof Config, unknown>;
  const width = Math.max(...CONFIG_VARIABLES.map((v) => v.length));
  return CONFIG_VARIABLES.map((name) => {
    const value = defaults[name];
    const shown = value === undefined ? '' : ` (default ${String(value)})`;
    return `  ${name.padEnd(width)}  ${VARIABLE_HELP[name] ?? ''}${shown}`;
  });
}

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage:',
    '  hashwatch                          start the bot (terminal prompt when no DISCORD_TOKEN / TELEGRAM_BOT_TOKEN)',
    '  hashwatch <command> [options]      run one command, e.g. hashwatch hashprice --price 60000',
    "  hashwatch <command> --json         print the answer's data as JSON",
    '  hashwatch chart hashprice --range 30d --out hashprice.png',
    '  hashwatch register-commands        register Discord slash commands (DISCORD_GUILD_ID for one server)',
    '  hashwatch backup <file>            copy the database (DATABASE_PATH) to <file>, safe while the bot runs',
    '  hashwatch completion bash|zsh      print a shell completion script, e.g. source <(hashwatch completion bash)',
    '  hashwatch --version | --help',
    '',
    'Commands (options as --name value, or in order without names):',
    ...commands.map(
      (c) =>
        `  ${c.name.padEnd(width)}  ${c.description}${
          Object.keys(c.options).length
            ? `\n  ${' '.repeat(width)}  ${flagsOf(c)
                .filter((f) => f !== '--json')
                .join(' ')}`
            : ''
        }`,
    ),
    '',
    'Environment (also read from .env in the current folder):',
    ...variablesHelp(),
  ].join('\n');
}

/** Words safe to put in a shell script unquoted (every command, option and choice we ship is). */
const SAFE = /^[\w.:/+-]+$/;
const words = (list: readonly string[]) => list.filter((w) => SAFE.test(w)).join(' ');

/** For options with fixed choices: `--name` → its choices. */
function choiceFlags(command: Command): [string, string[]][] {
  return Object.entries(command.options)
    .filter(([, spec]) => spec.kind === 'choice')
    .map(([name, spec]) => [`--${name}`, spec.kind === 'choice' ? [...spec.choices] : []]);
}

const firstWords = () => words([...commands.map((c) => c.name), ...CLI_ONLY, ...GLOBAL_FLAGS]);

export function bashCompletion(): string {
  const optionCases = commands.map((c) => `    ${c.name}) opts="${words(flagsOf(c))}" ;;`).join('\n');
  const valueCases = commands
    .flatMap((c) =>
      choiceFlags(c).map(
        ([flag, choices]) => `    ${c.name}:${flag}) COMPREPLY=( $(compgen -W "${words(choices)}" -- "$cur") ); return ;;`,
      ),
    )
    .join('\n');
  return `# hashwatch completion for bash: source <(hashwatch completion bash)
_hashwatch() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" opts=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${firstWords()}" -- "$cur") )
    return
  fi
  case "\${COMP_WORDS[1]}:$prev" in
${valueCases}
    completion:completion) COMPREPLY=( $(compgen -W "bash zsh" -- "$cur") ); return ;;
  esac
  case "\${COMP_WORDS[1]}" in
${optionCases}
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -F _hashwatch hashwatch
`;
}

export function zshCompletion(): string {
  const optionCases = commands.map((c) => `    ${c.name}) compadd -- ${words(flagsOf(c))} ;;`).join('\n');
  const valueCases = commands
    .flatMap((c) => choiceFlags(c).map(([flag, choices]) => `    ${c.name}:${flag}) compadd -- ${words(choices)}; return ;;`))
    .join('\n');
  return `#compdef hashwatch
# hashwatch completion for zsh: source <(hashwatch completion zsh)  (after compinit)
_hashwatch() {
  if (( CURRENT == 2 )); then
    compadd -- ${firstWords()}
    return
  fi
  case "$words[2]:$words[CURRENT-1]" in
${valueCases}
    completion:completion) compadd -- bash zsh; return ;;
  esac
  case "$words[2]" in
${optionCases}
  esac
}
compdef _hashwatch hashwatch
`;
}
