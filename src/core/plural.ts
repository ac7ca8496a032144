/**
 * A count with its noun in the right number: "1 day", "7 days", "1 pool", "1,024 blocks".
 * Every count shown to a user goes through here, so "1 days" cannot come back one message at a time.
 */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${count === 1 ? singular : pluralForm}`;
}
