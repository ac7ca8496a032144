/**
 * `npm run readme:examples`: rewrites every example reply in README.md from the test world, so the
 * README says what the code answers. Run it after a change to a reply; the README test fails until then.
 */
import { writeFileSync } from 'node:fs';
import { findExamples, readReadme, README_URL, renderExamples, withRendered } from './examples.ts';

const readme = readReadme();
const examples = findExamples(readme);
const rendered = await renderExamples(examples);
const next = withRendered(readme, examples, rendered);
const changed = examples.filter((e, k) => e.shown !== rendered[k]).map((e) => e.command);
if (next !== readme) writeFileSync(README_URL, next);
process.stdout.write(`${examples.length} examples; ${changed.length ? `rewrote ${changed.join(', ')}` : 'all up to date'}\n`);
