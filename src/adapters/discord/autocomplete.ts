/** Suggestions for long choice lists (ASIC models, currencies) as the user types. */
import type { ChoiceSpec } from '../../core/command.ts';

export const MAX_SUGGESTIONS = 25;

const squash = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

/**
 * Choices that start with what was typed come first, then those containing it, then those an alias
 * points to ("s19j-pro" → "s19jpro"); declaration order within each group; at most 25.
 */
export function suggestChoices(spec: ChoiceSpec, typed: string): string[] {
  const q = squash(typed.trim());
  if (!q) return spec.choices.slice(0, MAX_SUGGESTIONS);
  const prefix = spec.choices.filter((c) => squash(c).startsWith(q));
  const contains = spec.choices.filter((c) => squash(c).includes(q));
  const viaAlias = Object.entries(spec.aliases ?? {})
    .filter(([alias]) => squash(alias).includes(q))
    .map(([, canonical]) => canonical)
    .filter((c) => spec.choices.includes(c));
  return [...new Set([...prefix, ...contains, ...viaAlias])].slice(0, MAX_SUGGESTIONS);
}
