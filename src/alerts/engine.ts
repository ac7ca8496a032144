/**
 * The alert engine: keeps every active rule in memory, and on each poll or new block asks
 * evaluate.ts about the rules the move can have changed, then commits what it decided.
 *
 * Every state change and the alert it causes commit in one transaction, together with the
 * outbox row keyed `alert:<rule>:<episode>`: a restart can neither lose nor repeat an alert.
 */
import type { Logger } from 'pino';
import type { Headline } from '../core/headline.ts';
import type { Destination } from '../core/delivery.ts';
import type { Reply } from '../core/reply.ts';
import type { AlertState, OutboxRepo, RuleRepo, RuleRow, SnapshotRepo } from '../store/index.ts';
import { evaluate, initialState, waitsWithoutCrossing, type PastValues, type RuleInput } from './evaluate.ts';
import { alertReply } from './messages.ts';
import { METRICS } from './metrics.ts';
import { recordHeadline } from '../market-data/recorder.ts';
import { isRuleSpec } from './parse.ts';
import type { RuleSpec } from './rules.ts';
import { ThresholdRules, type ThresholdRule } from './threshold-rules.ts';

/** What the engine reads and writes, and nothing else of the store. */
export interface AlertEngineRepos {
  rules: Pick<RuleRepo, 'countActive' | 'eachActive' | 'saveStates'>;
  outbox: Pick<OutboxRepo, 'enqueueMany'>;
  snapshots: Pick<SnapshotRepo, 'atOrBefore' | 'upsertMany'>;
  /** Runs fn in one transaction: the states and the alerts they cause commit together. */
  transaction<T>(fn: () => T): T;
}

interface Live extends RuleInput {
  destination: Destination;
}

export interface EvaluationResult {
  fired: number;
  /** Rules looked at (index hits plus non-threshold rules), for the benchmark and logs. */
  checked: number;
}

export class AlertEngine {
  /** Threshold rules in columns (most rules are these); the other kinds as objects. */
  private thresholds = new ThresholdRules();
  private others = new Map<number, Live>();
  private lastValue = new Map<string, number>();
  private lastHeadline: Headline | undefined;

  constructor(
    private readonly repos: AlertEngineRepos,
    private readonly log: Logger,
  ) {}

  /** Loads every active rule from the store (start-up). */
  load(): void {
    this.thresholds = new ThresholdRules(this.repos.rules.countActive());
    this.others.clear();
    this.repos.rules.eachActive((row) => this.track(row));
    this.thresholds.build();
  }

  get size(): number {
    return this.thresholds.size + this.others.size;
  }

  /** The most recent headline evaluated, so a new rule can say whether it already holds. */
  get latest(): Headline | undefined {
    return this.lastHeadline;
  }

  track(row: RuleRow): void {
    let spec: unknown;
    try {
      spec = JSON.parse(row.specJson);
    } catch {
      spec = undefined;
    }
    if (!isRuleSpec(spec)) {
      this.log.error({ ruleId: row.id }, 'alert rule has an unreadable spec; skipping it');
      return;
    }
    this.untrack(row.id);
    if (spec.kind === 'threshold') {
      this.thresholds.add(row.id, spec, row.cooldownSec, row.platform, row.externalId, row.state);
    } else {
      const destination = this.thresholds.destination(row.platform, row.externalId);
      this.others.set(row.id, { id: row.id, destination, spec, cooldownSec: row.cooldownSec, state: row.state });
    }
  }

  untrack(id: number): void {
    this.thresholds.remove(id);
    this.others.delete(id);
  }

  /** The owner cannot be reached (their rules were disabled in the store): stop evaluating them. */
  untrackDestination(d: Destination): void {
    this.thresholds.removeOwner(d);
    for (const rule of [...this.others.values()]) {
      if (rule.destination.platform === d.platform && rule.destination.chatId === d.chatId) this.untrack(rule.id);
    }
  }

  /** The state a new rule should start in, given the latest numbers (evaluate.ts). */
  initialState(spec: RuleSpec, h: Headline | undefined = this.lastHeadline): { state: AlertState; alreadyTrue: boolean } {
    return initialState(spec, h, this.past);
  }

  evaluate(h: Headline): EvaluationResult {
    const { slots, rules: thresholdRules } = this.candidates(h);
    const { decisions, skipped } = evaluate<ThresholdRule | Live>([...thresholdRules, ...this.others.values()], h, this.past);
    this.logSkipped(skipped);
    const writes: { ruleId: number; state: AlertState }[] = [];
    const messages: { idemKey: string; destination: Destination; reply: Reply }[] = [];
    for (const { rule, state, fired } of decisions) {
      rule.state = state;
      writes.push({ ruleId: rule.id, state });
      if (fired)
        messages.push({ idemKey: `alert:${rule.id}:${fired.episode}`, destination: rule.destination, reply: alertReply(fired, h) });
    }
    thresholdRules.forEach((rule, i) => {
      const slot = slots[i]!;
      this.thresholds.write(slot, rule.state);
      // Only a rule armed while its condition holds (held by cooldown) can change without a crossing.
      const waits = waitsWithoutCrossing(rule, h);
      if (waits !== undefined) this.thresholds.settle(slot, waits);
    });
    const nowMs = h.atMs;
    try {
      // One statement per kind of write, however many rules changed; the poll's figures are recorded
      // in the same transaction by the one snapshot recorder.
      this.repos.transaction(() => {
        recordHeadline(this.repos.snapshots, h);
        this.repos.rules.saveStates(writes, nowMs);
        this.repos.outbox.enqueueMany(messages, nowMs);
      });
    } catch (err) {
      // Nothing was committed: forget what this pass decided, so the next one decides it again.
      this.load();
      this.lastValue.clear();
      throw err;
    }
    this.lastHeadline = h;
    return { fired: messages.length, checked: thresholdRules.length + this.others.size };
  }

  /** Recorded values, for change rules: the store's snapshots under each metric's snapshot name. */
  private readonly past: PastValues = {
    atOrBefore: (metric, tsSec) => this.repos.snapshots.atOrBefore(METRICS[metric].snapshot, tsSec),
  };

  /** Threshold rules to look at: the unsettled ones and those a move since the last pass crossed. */
  private candidates(h: Headline): { slots: number[]; rules: ThresholdRule[] } {
    const candidates = new Set<number>(this.thresholds.unsettled());
    for (const id of Object.keys(METRICS) as (keyof typeof METRICS)[]) {
      const x = METRICS[id].read(h);
      if (x === undefined || !Number.isFinite(x)) continue;
      const before = this.lastValue.get(id);
      if (before === undefined) {
        for (const slot of this.thresholds.index.slotsOf(id)) candidates.add(slot);
      } else {
        for (const slot of this.thresholds.index.crossedSlots(id, before, x)) candidates.add(slot);
      }
      this.lastValue.set(id, x);
    }
    const slots: number[] = [];
    const rules: ThresholdRule[] = [];
    for (const slot of candidates) {
      const rule = this.thresholds.rule(slot);
      if (!rule) continue; // removed since
      slots.push(slot);
      rules.push(rule);
    }
    return { slots, rules };
  }

  /** Metrics read undefined while computed with an input missing (metrics.ts): say why, once per cause. */
  private loggedSkipped = '';
  private logSkipped(skipped: Headline['degraded']): void {
    const why = JSON.stringify(skipped ?? {});
    if (why !== this.loggedSkipped && why !== '{}')
      this.log.warn({ degraded: skipped }, 'alerts: skipping figures computed with an input missing');
    this.loggedSkipped = why;
  }
}
