/**
 * Threshold rules indexed by the points where their state can change. A rule "above v" becomes
 * true when the value rises past v and re-arms when it falls to v − margin (mirrored for "below").
 * Between two evaluations only rules with such a point between the old and the new value can change
 * state, so a move touches those alone: two binary searches per sorted run instead of a scan.
 *
 * Columnar, because a bot may hold a million rules: each rule is a slot in typed arrays (id, key,
 * direction, fire and re-arm points, alive), about 36 bytes in all with the sorted runs, where a
 * JavaScript object per rule cost several hundred. A slot never changes while its rule lives, so
 * callers may keep their own columns by slot. Rules added since the last build sit in an unsorted
 * tail that is scanned; removed ones stay as dead slots until the index is rebuilt from scratch
 * (AlertEngine.load), so memory follows the rules added since then, not only the live ones.
 *
 * The alternative, asking SQLite's own index for "thresholds between the old and the new value",
 * keeps nothing in memory but pays a query per move and per metric and needs the re-arm point
 * (which depends on the metric's margin) as a stored column; bench/alerts.ts measures both.
 */
export type Direction = 'above' | 'below';

/** Past this many unsorted rules (or dead ones in the runs), the next look-up rebuilds the runs. */
const TAIL_LIMIT = 4096;

const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;

/** Rule id → slot, in pages of 4,096 ids made on first use: O(1), 4 bytes per id in a used page. */
class IdSlots {
  private pages = new Map<number, Int32Array>();

  get(id: number): number {
    const page = this.pages.get(id >>> PAGE_BITS);
    return page ? page[id & (PAGE - 1)]! - 1 : -1;
  }

  set(id: number, slot: number): void {
    let page = this.pages.get(id >>> PAGE_BITS);
    if (!page) this.pages.set(id >>> PAGE_BITS, (page = new Int32Array(PAGE)));
    page[id & (PAGE - 1)] = slot + 1;
  }

  delete(id: number): void {
    const page = this.pages.get(id >>> PAGE_BITS);
    if (page) page[id & (PAGE - 1)] = 0;
  }
}

/** Slots in ascending order of one point column (fire or re-arm): 4 bytes per rule. */
type Run = Int32Array;

interface KeyRuns {
  aboveFire: Run;
  aboveRearm: Run;
  belowFire: Run;
  belowRearm: Run;
}

/** First index of sorted `points` whose point is >= x (or > x when strict). */
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

/** The same over a run: the point of run[i] is pointOf[run[i]]. */
function lowerBoundIn(run: Run, pointOf: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = run.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = pointOf[run[mid]!]!;
    if (strict ? p <= x : p < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The slots sorted by their point. Sorting a Float64Array natively and placing each slot at the
 * first free place of its value's range avoids a million comparator calls (seconds at load).
 */
function runOf(slots: Int32Array, pointOf: Float64Array): Run {
  const points = new Float64Array(slots.length);
  for (let i = 0; i < slots.length; i++) points[i] = pointOf[slots[i]!]!;
  points.sort();
  const placed = new Int32Array(slots.length);
  const used = new Int32Array(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const at = lowerBound(points, pointOf[slots[i]!]!, false);
    placed[at + used[at]!++] = slots[i]!;
  }
  return placed;
}

export function grown<A extends Float64Array | Int32Array | Uint16Array | Uint8Array>(a: A, need: number): A {
  if (need <= a.length) return a;
  // 1.5×, not 2×: at a million rules every spare slot of slack costs megabytes.
  const b = new (a.constructor as new (n: number) => A)(Math.max(need, Math.ceil(a.length * 1.5)));
  b.set(a);
  return b;
}

export class ThresholdIndex {
  private keyNames: string[] = [];
  private keyIds = new Map<string, number>();
  private ids: Int32Array;
  private keyOf: Uint16Array;
  private isAbove: Uint8Array;
  private fire: Float64Array;
  private rearm: Float64Array;
  private alive: Uint8Array;
  private slotOfId = new IdSlots();
  /** Slots used (live and dead). */
  private count = 0;
  private live = 0;
  /** Slots below this are in the sorted runs; the rest are the unsorted tail. */
  private sortedUpTo = 0;
  private deadInRuns = 0;
  private runs = new Map<number, KeyRuns>();

  /** `expected`: how many rules are about to be added (a load), so the columns are made once. */
  constructor(expected = 0) {
    const n = Math.max(expected, 1024);
    this.ids = new Int32Array(n);
    this.keyOf = new Uint16Array(n);
    this.isAbove = new Uint8Array(n);
    this.fire = new Float64Array(n);
    this.rearm = new Float64Array(n);
    this.alive = new Uint8Array(n);
  }

  /** Adds (or replaces) a rule; returns its slot. Ids are non-negative integers. */
  add(id: number, key: string, direction: Direction, threshold: number, margin: number): number {
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) throw new RangeError(`rule id ${id} is not a non-negative 31-bit integer`);
    const rearm = direction === 'above' ? threshold - margin : threshold + margin;
    if (!Number.isFinite(threshold) || Number.isNaN(rearm))
      throw new RangeError(`rule ${id}: threshold ${threshold} and margin ${margin} give no point to sort by`);
    this.remove(id);
    let k = this.keyIds.get(key);
    if (k === undefined) {
      k = this.keyNames.push(key) - 1;
      this.keyIds.set(key, k);
    }
    const slot = this.count++;
    this.ids = grown(this.ids, this.count);
    this.keyOf = grown(this.keyOf, this.count);
    this.isAbove = grown(this.isAbove, this.count);
    this.fire = grown(this.fire, this.count);
    this.rearm = grown(this.rearm, this.count);
    this.alive = grown(this.alive, this.count);
    this.ids[slot] = id;
    this.keyOf[slot] = k;
    this.isAbove[slot] = direction === 'above' ? 1 : 0;
    this.fire[slot] = threshold;
    this.rearm[slot] = rearm;
    this.alive[slot] = 1;
    this.slotOfId.set(id, slot);
    this.live++;
    return slot;
  }

  remove(id: number): void {
    const slot = this.slotOf(id);
    if (slot < 0) return;
    this.alive[slot] = 0;
    this.slotOfId.delete(id);
    this.live--;
    if (slot < this.sortedUpTo) this.deadInRuns++;
  }

  get size(): number {
    return this.live;
  }

  /** The slot of a live rule, or -1. */
  slotOf(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id > 0x7fffffff) return -1;
    return this.slotOfId.get(id);
  }

  /** Slots handed out so far (live and dead): callers size their own columns by this. */
  get slotCount(): number {
    return this.count;
  }

  isLive(slot: number): boolean {
    return this.alive[slot] === 1;
  }

  idAt(slot: number): number {
    return this.ids[slot]!;
  }

  keyAt(slot: number): string {
    return this.keyNames[this.keyOf[slot]!]!;
  }

  directionAt(slot: number): Direction {
    return this.isAbove[slot] ? 'above' : 'below';
  }

  thresholdAt(slot: number): number {
    return this.fire[slot]!;
  }

  /** Sorts every rule into the runs now (after loading), so the first evaluation is not the slow one. */
  build(): void {
    this.runs.clear();
    for (let k = 0; k < this.keyNames.length; k++) {
      const a = this.liveSlots(k, 1);
      const b = this.liveSlots(k, 0);
      if (a.length + b.length === 0) continue;
      this.runs.set(k, {
        aboveFire: runOf(a, this.fire),
        aboveRearm: runOf(a, this.rearm),
        belowFire: runOf(b, this.fire),
        belowRearm: runOf(b, this.rearm),
      });
    }
    this.sortedUpTo = this.count;
    this.deadInRuns = 0;
  }

  private liveSlots(k: number, above: number): Int32Array {
    let n = 0;
    for (let slot = 0; slot < this.count; slot++) if (this.alive[slot] && this.keyOf[slot] === k && this.isAbove[slot] === above) n++;
    const out = new Int32Array(n);
    n = 0;
    for (let slot = 0; slot < this.count; slot++)
      if (this.alive[slot] && this.keyOf[slot] === k && this.isAbove[slot] === above) out[n++] = slot;
    return out;
  }

  /** Live slots of `key`, in the order they were added. */
  slotsOf(key: string): number[] {
    const k = this.keyIds.get(key);
    const out: number[] = [];
    if (k === undefined) return out;
    for (let slot = 0; slot < this.count; slot++) if (this.alive[slot] && this.keyOf[slot] === k) out.push(slot);
    return out;
  }

  /** Ids of the rules of `key` whose state may differ between `from` and `to`. */
  crossed(key: string, from: number, to: number): number[] {
    return this.crossedSlots(key, from, to).map((slot) => this.ids[slot]!);
  }

  /**
   * Slots of the rules of `key` whose state may differ between `from` and `to`. Conditions:
   * above ⇔ x > fire, re-armed ⇔ x ≤ rearm; below ⇔ x < fire, re-armed ⇔ x ≥ rearm.
   */
  crossedSlots(key: string, from: number, to: number): number[] {
    const out: number[] = [];
    const k = this.keyIds.get(key);
    if (from === to || k === undefined) return out;
    if (this.count - this.sortedUpTo > TAIL_LIMIT || this.deadInRuns > Math.max(TAIL_LIMIT, this.live / 4)) this.build();
    const runs = this.runs.get(k);
    const up = to > from;
    if (runs) {
      if (up) {
        this.collect(runs.aboveFire, this.fire, from, to, true, false, out); // from ≤ v < to
        this.collect(runs.belowRearm, this.rearm, from, to, false, true, out); // from < r ≤ to
      } else {
        this.collect(runs.aboveRearm, this.rearm, to, from, true, false, out); // to ≤ r < from
        this.collect(runs.belowFire, this.fire, to, from, false, true, out); // to < v ≤ from
      }
    }
    for (let slot = this.sortedUpTo; slot < this.count; slot++) {
      if (!this.alive[slot] || this.keyOf[slot] !== k) continue;
      const above = this.isAbove[slot] === 1;
      const f = this.fire[slot]!;
      const r = this.rearm[slot]!;
      const hit = up ? (above ? from <= f && f < to : from < r && r <= to) : above ? to <= r && r < from : to < f && f <= from;
      if (hit) out.push(slot);
    }
    return out;
  }

  /** Live slots whose point p satisfies lo ≤ p < hi (loInclusive/hiInclusive adjust the ends). */
  private collect(
    run: Run,
    pointOf: Float64Array,
    lo: number,
    hi: number,
    loInclusive: boolean,
    hiInclusive: boolean,
    out: number[],
  ): void {
    const start = lowerBoundIn(run, pointOf, lo, !loInclusive);
    const end = lowerBoundIn(run, pointOf, hi, hiInclusive);
    // Runs hold slots in point order, so slots are scattered: skip the liveness look-up (a cache
    // miss per hit at a million rules) while no rule in the runs was removed.
    if (this.deadInRuns === 0) {
      for (let i = start; i < end; i++) out.push(run[i]!);
      return;
    }
    for (let i = start; i < end; i++) {
      const slot = run[i]!;
      if (this.alive[slot]) out.push(slot);
    }
  }
}
