/** "Did you mean …?" for names people mistype: commands, choices such as ASIC models. */

/**
 * Optimal string alignment distance: Levenshtein (insert, delete, substitute) plus swapping two
 * neighbouring letters as one edit, since "hashpirce" is one slip of the fingers, not two.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `typed`, or undefined when none is close enough to be a slip: at most
 * one edit for short words (none under 3 letters), up to a third of the word for longer ones. Ties go to the earlier
 * candidate, so callers list the likelier names first.
 */
export function closest(typed: string, candidates: Iterable<string>): string | undefined {
  // One or two letters are too little to guess from ("/p" could be /price, /pools or /profit).
  if (typed.length < 3) return undefined;
  const limit = Math.max(1, Math.floor(typed.length / 3));
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    // Long typed text cannot be close to a short name; skip the quadratic work for pasted essays.
    if (Math.abs(name.length - typed.length) > limit) continue;
    const d = editDistance(typed, name);
    if (d <= limit && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}
