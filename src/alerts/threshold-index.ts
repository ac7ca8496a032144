/**
 * Threshold rules indexed by the points where their state can change. A rule "above v" becomes
 * true when the value rises past v and re-arms when it falls to v − margin (mirrored for "below").
 * Between two evaluations only rules with such a point between the old and the new value can change
 * state, so a move touches those alone: two binary searches per sorted array instead of a scan.
 */
export type Direction = 'above' | 'below';

interface Entry {
  id: number;
  key: string;
  direction: Direction;
  /** Where the condition flips (the threshold) and where the rule re-arms. */
  fire: number;
  rearm: number;
}

interface Sorted {
  points: Float64Array;
  ids: Int32Array;
}

function sortedBy(entries: Entry[], pick: (e: Entry) => number): Sorted {
  const order = entries.map((e, i) => i).sort((a, b) => pick(entries[a]!) - pick(entries[b]!));
  const points = new Float64Array(order.length);
  const ids = new Int32Array(order.length);
  order.forEach((idx, i) => {
    points[i] = pick(entries[idx]!);
    ids[i] = entries[idx]!.id;
  });
  return { points, ids };
}

/** First index whose point is >= x (or > x when strict). */
function lowerBound(points: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = points[mid]!;
    if (strict ? p <= x : p < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Ids whose point p satisfies lo ≤ p < hi (loInclusive/hiInclusive adjust the ends). */
function collect(s: Sorted, lo: number, hi: number, loInclusive: boolean, hiInclusive: boolean, out: number[]): void {
  const start = lowerBound(s.points, lo, !loInclusive);
  const end = lowerBound(s.points, hi, hiInclusive);
  for (let i = start; i < end; i++) out.push(s.ids[i]!);
}

export class ThresholdIndex {
  private entries = new Map<number, Entry>();
  private built = new Map<string, { aboveFire: Sorted; aboveRearm: Sorted; belowFire: Sorted; belowRearm: Sorted }>();
  private dirty = new Set<string>();

  add(id: number, key: string, direction: Direction, threshold: number, margin: number): void {
    this.remove(id);
    const rearm = direction === 'above' ? threshold - margin : threshold + margin;
    this.entries.set(id, { id, key, direction, fire: threshold, rearm });
    this.dirty.add(key);
  }

  remove(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.dirty.add(e.key);
  }

  get size(): number {
    return this.entries.size;
  }

  private sortedFor(key: string) {
    if (this.dirty.has(key) || !this.built.has(key)) {
      const mine = [...this.entries.values()].filter((e) => e.key === key);
      const above = mine.filter((e) => e.direction === 'above');
      const below = mine.filter((e) => e.direction === 'below');
      this.built.set(key, {
        aboveFire: sortedBy(above, (e) => e.fire),
        aboveRearm: sortedBy(above, (e) => e.rearm),
        belowFire: sortedBy(below, (e) => e.fire),
        belowRearm: sortedBy(below, (e) => e.rearm),
      });
      this.dirty.delete(key);
    }
    return this.built.get(key)!;
  }

  /** Sorts every key now (e.g. after loading), so the first evaluation is not the slow one. */
  build(): void {
    for (const key of new Set([...this.dirty])) this.sortedFor(key);
  }

  /**
   * Rules of `key` whose state may differ between `from` and `to`. Conditions: above ⇔ x > fire,
   * re-armed ⇔ x ≤ rearm; below ⇔ x < fire, re-armed ⇔ x ≥ rearm.
   */
  crossed(key: string, from: number, to: number): number[] {
    const out: number[] = [];
    if (from === to) return out;
    const s = this.sortedFor(key);
    if (to > from) {
      collect(s.aboveFire, from, to, true, false, out); // from ≤ v < to
      collect(s.belowRearm, from, to, false, true, out); // from < r ≤ to
    } else {
      collect(s.aboveRearm, to, from, true, false, out); // to ≤ r < from
      collect(s.belowFire, to, from, false, true, out); // to < v ≤ from
    }
    return out;
  }
}
