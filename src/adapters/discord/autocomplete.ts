/** Suggestions for long choice lists (ASIC models, currencies) as the user types. */
import { suggestChoice, type ChoiceSpec } from '../../core/command.ts';

const MAX_SUGGESTIONS = 25;

const squash = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

/**
 * Choices that start with what was typed come first, then those containing it (in the id, or in
 * the full name: "whatsminer" finds the M-series), then those an alias points to ("s19j-pro" →
 * "s19jpro"); declaration order within each group; at most 25. With no match, the closest choice
 * to a typo ("s21xpp" → s21xp).
 */
export function suggestChoices(spec: ChoiceSpec, typed: string): string[] {
  const raw = squash(typed.trim());
  if (!raw) return spec.choices.slice(0, MAX_SUGGESTIONS);
  // The spec's own reading too: for models it drops maker words ("antminer s19" → "s19").
  const q = spec.normalise ? spec.normalise(typed) : raw;
  const names = (c: string) => [squash(c), ...(spec.label ? [squash(spec.label(c))] : [])];
  const prefix = q ? spec.choices.filter((c) => squash(c).startsWith(q)) : [];
  const contains = spec.choices.filter((c) => names(c).some((n) => (q !== '' && n.includes(q)) || n.includes(raw)));
  const viaAlias = Object.entries(spec.aliases ?? {})
    .filter(([alias]) => squash(alias).includes(raw))
    .map(([, canonical]) => canonical)
    .filter((c) => spec.choices.includes(c));
  const found = [...new Set([...prefix, ...contains, ...viaAlias])];
  if (found.length === 0) {
    const near = suggestChoice(spec, typed);
    return near === undefined ? [] : [near];
  }
  return found.slice(0, MAX_SUGGESTIONS);
}
