/**
 * The spellings of a period that /pools and /chart both accept, so "/pools 24h" and
 * "/chart pools 24h" (or "7d", "1w", "week") read alike. Grouped by length in days.
 */
const SPELLINGS: ReadonlyMap<number, readonly string[]> = new Map([
  [1, ['24h', '1d', 'day', '24hours']],
  [7, ['7d', '1w', 'week', '7', '7days']],
  [30, ['30d', '1m', 'month', '30', '30days']],
  [90, ['90d', '3m', 'quarter', '90', '90days']],
  [365, ['1y', '365d', '12m', 'year', '365', '1yr']],
]);

/** Aliases mapping every other spelling of each choice's period to that choice. */
export function periodAliases(choices: readonly string[]): Record<string, string> {
  const aliases = new Map<string, string>();
  for (const choice of choices) {
    const group = [...SPELLINGS.values()].find((words) => words.includes(choice));
    if (!group) throw new Error(`no period spellings for ${choice}`);
    for (const word of group) if (word !== choice) aliases.set(word, choice);
  }
  return Object.fromEntries(aliases);
}
