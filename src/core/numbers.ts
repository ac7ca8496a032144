/** Apart from command.ts so alert rules parse numbers the same way without importing the command layer. */

// No 'e' (exa): it would make "1e" ambiguous with scientific notation.
const SUFFIX = new Map([
  ['k', 1e3],
  ['m', 1e6],
  ['g', 1e9],
  ['t', 1e12],
  ['p', 1e15],
]);

/**
 * Numbers as people type them: "60000", "60,000", "60 000", "60_000", "60k", "1.2e14", "113.76T",
 * "120 T", "$60k", "6%". Returns NaN for anything else so validation can say what is accepted.
 */
export function parseHumanNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string') return Number.NaN;
  const s = raw
    .trim()
    .replace(/^\$\s*/, '')
    // Many people group thousands with spaces ("60 000") or set a suffix apart ("120 T").
    .replace(/^[+-]?\d{1,3}(?: \d{3})+(?=$|[.,%\s]|[kmgtp]$)/i, (groups) => groups.replace(/ /g, ''))
    .replace(/(\d) ([kmgtp])$/i, '$1$2')
    .replace(/[,_]/g, '')
    .replace(/%$/, '');
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([kmgtp])?$/i.exec(s);
  if (!m) return Number.NaN;
  const base = Number(m[1]);
  return m[2] ? base * (SUFFIX.get(m[2].toLowerCase()) ?? Number.NaN) : base;
}
