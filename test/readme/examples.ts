/**
 * The README's example replies: a line holding only a command in backticks ("`/pools 24h`"), a blank
 * line, then a ``` block with what the terminal prompt answers. The test compares each block with a
 * fresh rendering; `npm run readme:examples` writes the renderings back. Both use this module, so
 * what the test checks is exactly what the script writes.
 */
import { readFileSync } from 'node:fs';
import { startExampleWorld } from './world.ts';

export const README_URL = new URL('../../README.md', import.meta.url);

export interface Example {
  /** What is typed at the prompt, e.g. "/pools 24h". */
  command: string;
  /** 1-based line of the command in the README, to name the example in a failure. */
  line: number;
  /** The block's text as the README has it (without the fences). */
  shown: string;
  /** Line indexes (0-based) of the block's text: from the line after the opening fence to the closing fence. */
  bodyStart: number;
  bodyEnd: number;
}

const COMMAND_LINE = /^`(\/[a-z][^`]*)`$/;
const FENCE = '```';

export function readReadme(): string {
  return readFileSync(README_URL, 'utf8');
}

export function findExamples(readme: string): Example[] {
  const lines = readme.split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = COMMAND_LINE.exec(lines[i]!);
    if (!m || lines[i + 1] !== '' || lines[i + 2] !== FENCE) continue;
    const bodyStart = i + 3;
    const bodyEnd = lines.indexOf(FENCE, bodyStart);
    if (bodyEnd < 0) throw new Error(`README.md line ${i + 1}: the example block of ${m[1]} has no closing fence`);
    examples.push({ command: m[1]!, line: i + 1, shown: lines.slice(bodyStart, bodyEnd).join('\n'), bodyStart, bodyEnd });
  }
  return examples;
}

/**
 * Renders every example in README order against one world: the examples that store something
 * (/alert add, /digest dm, /forget confirm) build on the ones above them, as at a real prompt.
 */
export async function renderExamples(examples: readonly Example[]): Promise<string[]> {
  const world = await startExampleWorld();
  try {
    const rendered: string[] = [];
    for (const e of examples) rendered.push(trimLineEnds(await world.ask(e.command)));
    return rendered;
  } finally {
    await world.close();
  }
}

/** Markdown keeps trailing spaces, editors strip them: they are not part of what the example shows. */
const trimLineEnds = (text: string): string =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');

/** The README with each example block replaced by its rendering. */
export function withRendered(readme: string, examples: readonly Example[], rendered: readonly string[]): string {
  const lines = readme.split('\n');
  // From the last block up, so the line indexes of the earlier blocks stay valid.
  for (let k = examples.length - 1; k >= 0; k--) {
    const e = examples[k]!;
    lines.splice(e.bodyStart, e.bodyEnd - e.bodyStart, ...rendered[k]!.split('\n'));
  }
  return lines.join('\n');
}
