/**
 * `hashwatch --help` and `hashwatch completion bash|zsh` as a shell user meets them: the help lists
 * every command and every variable of the configuration schema, and bash really completes with the
 * printed script (run in a child bash with `complete -p` and the completion function).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commands } from '../commands/index.ts';
import { VARIABLE_HELP } from '../src/cli-help.ts';
import { CONFIG_VARIABLES } from '../src/config.ts';

const exec = promisify(execFile);
const cli = (args: string[]) => exec(process.execPath, ['bin/hashwatch.js', ...args], { env: { PATH: process.env.PATH }, timeout: 60_000 });

/** What bash offers for the words typed so far (the last one being completed), using the printed script. */
async function bashCompletes(script: string, typed: string[]): Promise<string[]> {
  const program = [
    script,
    'complete -p hashwatch',
    `COMP_WORDS=(${typed.map((w) => `'${w}'`).join(' ')})`,
    `COMP_CWORD=${typed.length - 1}`,
    '_hashwatch',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash array expansion, for bash to expand
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const { stdout } = await exec('bash', ['--norc', '--noprofile', '-c', program], { timeout: 10_000 });
  const [registration, ...offered] = stdout.trim().split('\n');
  expect(registration).toBe('complete -F _hashwatch hashwatch');
  return offered.filter(Boolean);
}

describe('hashwatch --help', () => {
  it('lists every command with its options and every configuration variable', async () => {
    const { stdout } = await cli(['--help']);
    for (const c of commands) {
      expect(stdout).toMatch(new RegExp(`^  ${c.name} `, 'm'));
      for (const option of Object.keys(c.options)) expect(stdout).toContain(`--${option}`);
    }
    for (const name of CONFIG_VARIABLES) expect(stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(stdout).toContain('hashwatch completion bash|zsh');
    expect(stdout).toContain('(default https://mempool.space/api)');
  });

  it('has a line for each variable of the schema and for no other', () => {
    expect(Object.keys(VARIABLE_HELP).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});

describe('hashwatch completion', () => {
  it('bash: completes "hashwatch hashp" to hashprice, a command’s options, and an option’s choices', async () => {
    const { stdout: script } = await cli(['completion', 'bash']);
    expect(await bashCompletes(script, ['hashwatch', 'hashp'])).toEqual(['hashprice']);
    expect(await bashCompletes(script, ['hashwatch', 'comp'])).toEqual(['completion']);
    expect(await bashCompletes(script, ['hashwatch', 'hashprice', '--p'])).toEqual(['--price']);
    expect(await bashCompletes(script, ['hashwatch', 'chart', '--'])).toEqual(['--metric', '--range', '--json', '--out']);
    const ranges = commands.find((c) => c.name === 'chart')!.options.range!;
    expect(ranges.kind === 'choice' && ranges.choices).toContain('30d');
    expect(await bashCompletes(script, ['hashwatch', 'chart', 'hashprice', '--range', ''])).toEqual(
      ranges.kind === 'choice' ? [...ranges.choices] : [],
    );
    expect(await bashCompletes(script, ['hashwatch', 'price', '--currency', 'E'])).toEqual(['EUR']);
    expect(await bashCompletes(script, ['hashwatch', 'completion', ''])).toEqual(['bash', 'zsh']);
  });

  it('zsh: a compdef script naming every command and its options', async () => {
    const { stdout: script } = await cli(['completion', 'zsh']);
    expect(script.startsWith('#compdef hashwatch\n')).toBe(true);
    expect(script).toContain('compdef _hashwatch hashwatch');
    for (const c of commands) expect(script).toMatch(new RegExp(`^    ${c.name}\\) compadd -- .*--json`, 'm'));
  });

  it('without a shell says how to use it and exits 2', async () => {
    const r = await cli(['completion']).catch((e: { code: number; stderr: string }) => e);
    expect(r).toMatchObject({ code: 2 });
    expect((r as { stderr: string }).stderr).toContain('hashwatch completion bash');
  });
});
