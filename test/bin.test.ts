import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

/** bin/hashwatch.js in a scratch project whose dist/ and src/ entry points say which one ran. */
function scratch() {
  const dir = mkdtempSync(join(tmpdir(), 'hashwatch-bin-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'src', 'nested'), { recursive: true });
  mkdirSync(join(dir, 'commands'));
  mkdirSync(join(dir, 'dist'));
  copyFileSync(join(root, 'bin/hashwatch.js'), join(dir, 'bin/hashwatch.js'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}');
  writeFileSync(join(dir, 'src/entry.ts'), "const from: string = 'source'; console.log(from);\n");
  writeFileSync(join(dir, 'src/nested/deep.ts'), 'export {};\n');
  writeFileSync(join(dir, 'commands/one.ts'), 'export {};\n');
  writeFileSync(join(dir, 'dist/entry.js'), "console.log('dist');\n");
  const at = (path: string, sec: number) => utimesSync(join(dir, path), sec, sec);
  const run = () => execFileSync(process.execPath, [join(dir, 'bin/hashwatch.js')], { encoding: 'utf8' }).trim();
  return { dir, at, run };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('bin/hashwatch.js', () => {
  it('runs the compiled dist/ when it is newer than every source file, so start-up does not transpile', () => {
    const s = scratch();
    dirs.push(s.dir);
    for (const p of ['src', 'src/nested', 'src/nested/deep.ts', 'src/entry.ts', 'commands', 'commands/one.ts']) s.at(p, 1_000);
    s.at('dist/entry.js', 2_000);
    expect(s.run()).toBe('dist');
  });

  it('runs the TypeScript source instead when any source file (however deep) is newer than the build, or there is none', () => {
    const s = scratch();
    dirs.push(s.dir);
    for (const p of ['src', 'src/nested', 'src/entry.ts', 'commands', 'commands/one.ts']) s.at(p, 1_000);
    s.at('dist/entry.js', 2_000);
    s.at('src/nested/deep.ts', 3_000);
    expect(s.run()).toBe('source');
    s.at('src/nested/deep.ts', 1_000);
    s.at('commands/one.ts', 3_000);
    expect(s.run()).toBe('source');
    rmSync(join(s.dir, 'dist'), { recursive: true });
    expect(s.run()).toBe('source');
  });
});
