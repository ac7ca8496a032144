/**
 * The engine's threshold rules, in columns: the rule itself lives in the ThresholdIndex slot
 * (metric, direction, threshold), its evaluation state and owner in typed arrays by the same slot.
 * A million rules held as objects (rule, spec, state, a Set entry each) took about 600 bytes per
 * rule; here it is under 100. A rule becomes an object only while it is being evaluated, which
 * after the first evaluation means only the rules a move crossed.
 */
import type { Destination, DeliveryPlatform } from '../core/delivery.ts';
import type { AlertState } from '../store/index.ts';
import { rearmMargin } from './metrics.ts';
import type { RuleSpec } from './rules.ts';
import { grown, ThresholdIndex } from './threshold-index.ts';

export type ThresholdSpec = Extract<RuleSpec, { kind: 'threshold' }>;

export interface ThresholdRule {
  id: number;
  destination: Destination;
  spec: ThresholdSpec;
  cooldownSec: number;
  state: AlertState;
}

/** armed column: the state's armed flag, with null (never evaluated) as its own value. */
const DISARMED = 0;
const ARMED = 1;
const UNKNOWN = 2;

export class ThresholdRules {
  readonly index: ThresholdIndex;
  private armed: Uint8Array;
  private episode: Int32Array;
  /** NaN: never fired. */
  private lastFiredMs: Float64Array;
  private cooldownSec: Int32Array;
  private owner: Int32Array;
  /** Threshold rules never write a memo; one found in the store is kept as it was (rare: a map). */
  private memo = new Map<number, string>();
  private owners: Destination[] = [];
  private ownerIds = new Map<string, number>();
  /** Rules whose next step does not wait for a crossing (new, or held by a cooldown): flag + list. */
  private unsettledFlag: Uint8Array;
  private unsettledList: number[] = [];
  /** Until the first evaluation every rule is unsettled: scanned then, rather than listed one by one. */
  private listAll = true;

  /** `expected`: how many rules a load is about to add, so the columns are made once at their size. */
  constructor(expected = 0) {
    const n = Math.max(expected, 1024);
    this.index = new ThresholdIndex(n);
    this.armed = new Uint8Array(n);
    this.episode = new Int32Array(n);
    this.lastFiredMs = new Float64Array(n);
    this.cooldownSec = new Int32Array(n);
    this.owner = new Int32Array(n);
    this.unsettledFlag = new Uint8Array(n);
  }

  /** One Destination per owner: up to 25 rules share one, and a million rules stay small. */
  destination(platform: string, externalId: string): Destination {
    return this.owners[this.ownerOf(platform, externalId)]!;
  }

  private ownerOf(platform: string, externalId: string): number {
    const key = `${platform}:${externalId}`;
    let i = this.ownerIds.get(key);
    if (i === undefined) {
      i = this.owners.push({ platform: platform as DeliveryPlatform, chatId: externalId, kind: 'user' }) - 1;
      this.ownerIds.set(key, i);
    }
    return i;
  }

  add(id: number, spec: ThresholdSpec, cooldownSec: number, platform: string, externalId: string, state: AlertState): void {
    this.remove(id);
    const slot = this.index.add(id, spec.metric, spec.direction, spec.value, rearmMargin(spec.metric, spec.value));
    const n = this.index.slotCount;
    this.armed = grown(this.armed, n);
    this.episode = grown(this.episode, n);
    this.lastFiredMs = grown(this.lastFiredMs, n);
    this.cooldownSec = grown(this.cooldownSec, n);
    this.owner = grown(this.owner, n);
    this.unsettledFlag = grown(this.unsettledFlag, n);
    this.owner[slot] = this.ownerOf(platform, externalId);
    this.cooldownSec[slot] = cooldownSec;
    this.write(slot, state);
    // Looked at on the next evaluation whatever its state: it may be new, or held by a cooldown.
    this.settle(slot, true);
  }

  remove(id: number): void {
    const slot = this.index.slotOf(id);
    if (slot < 0) return;
    this.index.remove(id);
    this.memo.delete(slot);
    this.unsettledFlag[slot] = 0;
  }

  /** Stops evaluating every rule of this owner. */
  removeOwner(d: Destination): void {
    const owner = this.ownerIds.get(`${d.platform}:${d.chatId}`);
    if (owner === undefined) return;
    for (let slot = 0; slot < this.index.slotCount; slot++) {
      if (this.owner[slot] === owner && this.index.isLive(slot)) this.remove(this.index.idAt(slot));
    }
  }

  get size(): number {
    return this.index.size;
  }

  build(): void {
    this.index.build();
  }

  /** The rule in a slot as an object, to evaluate it; undefined when it was removed. */
  rule(slot: number): ThresholdRule | undefined {
    if (!this.index.isLive(slot)) return undefined;
    const armed = this.armed[slot]!;
    const lastFiredMs = this.lastFiredMs[slot]!;
    return {
      id: this.index.idAt(slot),
      destination: this.owners[this.owner[slot]!]!,
      spec: {
        kind: 'threshold',
        metric: this.index.keyAt(slot) as ThresholdSpec['metric'],
        direction: this.index.directionAt(slot),
        value: this.index.thresholdAt(slot),
      },
      cooldownSec: this.cooldownSec[slot]!,
      state: {
        armed: armed === UNKNOWN ? null : armed === ARMED,
        episode: this.episode[slot]!,
        lastFiredMs: Number.isNaN(lastFiredMs) ? null : lastFiredMs,
        memo: this.memo.get(slot) ?? null,
      },
    };
  }

  write(slot: number, s: AlertState): void {
    this.armed[slot] = s.armed === null ? UNKNOWN : s.armed ? ARMED : DISARMED;
    this.episode[slot] = s.episode;
    this.lastFiredMs[slot] = s.lastFiredMs ?? Number.NaN;
    if (s.memo === null) this.memo.delete(slot);
    else this.memo.set(slot, s.memo);
  }

  /** Marks whether the rule must be looked at on the next evaluation even without a crossing. */
  settle(slot: number, unsettled: boolean): void {
    if (unsettled && !this.unsettledFlag[slot] && !this.listAll) this.unsettledList.push(slot);
    this.unsettledFlag[slot] = unsettled ? 1 : 0;
  }

  /** Live slots that are unsettled, each once. */
  unsettled(): number[] {
    const seen = new Set<number>();
    if (this.listAll) {
      for (let slot = 0; slot < this.index.slotCount; slot++) if (this.unsettledFlag[slot] && this.index.isLive(slot)) seen.add(slot);
      this.listAll = false;
    }
    for (const slot of this.unsettledList) if (this.unsettledFlag[slot] && this.index.isLive(slot)) seen.add(slot);
    this.unsettledList = [...seen];
    return this.unsettledList.slice();
  }
}
