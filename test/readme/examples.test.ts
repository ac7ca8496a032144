/**
 * Every example reply in the README is what the terminal prompt answers in the test world (issue 11:
 * the README can no longer drift). A failure names the example and shows the difference; after a
 * deliberate change to a reply, `npm run readme:examples` rewrites the blocks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { findExamples, readReadme, renderExamples, withRendered } from './examples.ts';

const readme = readReadme();
const examples = findExamples(readme);
let rendered: string[] = [];

beforeAll(async () => {
  rendered = await renderExamples(examples);
});

describe('README example replies', () => {
  it('finds the examples, one or more for every command', () => {
    const shown = new Set(examples.map((e) => e.command.slice(1).split(' ')[0]));
    expect(
      commands.map((c) => c.name).filter((name) => !shown.has(name)),
      'commands with no example reply in README.md',
    ).toEqual([]);
  });

  it.each(examples.map((e) => [`${e.command} (README.md line ${e.line})`, e] as const))(
    '%s matches what the prompt answers',
    (_name, e) => {
      const k = examples.indexOf(e);
      // Expected: what README.md shows; received: what the prompt answers now.
      expect(rendered[k], `README.md line ${e.line}: the example of ${e.command} differs from the reply; run npm run readme:examples`).toBe(
        e.shown,
      );
    },
  );
});

describe('finding and writing examples', () => {
  const sample = [
    '# x',
    '',
    '`/fees`',
    '',
    '```',
    'old',
    'reply',
    '```',
    '',
    '`/about`',
    '',
    '```',
    'a',
    '```',
    '',
    '`/not followed by a block`',
    'text',
    '',
  ].join('\n');

  it('takes a command line in backticks followed by a fenced block, and nothing else', () => {
    const found = findExamples(sample);
    expect(found.map((e) => [e.command, e.line, e.shown])).toEqual([
      ['/fees', 3, 'old\nreply'],
      ['/about', 10, 'a'],
    ]);
  });

  it('replaces each block with its rendering and leaves the rest of the text alone', () => {
    const found = findExamples(sample);
    const next = withRendered(sample, found, ['new', 'b\nc']);
    expect(next).toBe(sample.replace('old\nreply', 'new').replace('```\na\n```', '```\nb\nc\n```'));
    expect(findExamples(next).map((e) => e.shown)).toEqual(['new', 'b\nc']);
  });
});
