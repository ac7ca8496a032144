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
import { evaluate, initialState, pastMoments, waitsWithoutCrossing, type PastValues, type RuleInput } from './evaluate.ts';
import { alertReply } from './messages.ts';
import { METRICS } from './metrics.ts';
import { headlineRows } from '../market-data/recorder.ts';
import { readSpec } from './parse.ts';
import type { RuleSpec } from './rules.ts';
import { ThresholdRules, type ThresholdRule } from './threshold-rules.ts';

/** Where change rules read past values from: the store, or a transaction's view of it. */
export type PastReader = Pick<SnapshotRepo, 'atOrBefore'>;

/** What one evaluation pass writes, all inside one transaction. */
export interface AlertEngineTx {
  rules: Pick<RuleRepo, 'saveStates'>;
  outbox: Pick<OutboxRepo, 'enqueueMany'>;
  snapshots: Pick<SnapshotRepo, 'upsertMany'>;
}

/** What the engine reads and writes, and nothing else of the store. */
export interface AlertEngineRepos {
  rules: Pick<RuleRepo, 'countActive' | 'eachActive' | 'get' | 'changeCursor' | 'changesSince' | 'pruneChanges'>;
  snapshots: PastReader;
  /** Runs fn in one transaction: the states and the alerts they cause commit together. Inside, only tx. */
  transaction<T>(fn: (tx: AlertEngineTx) => Promise<T>): Promise<T>;
}

const sameState = (a: AlertState | undefined, b: AlertState): boolean =>
  a !== undefined && a.armed === b.armed && a.episode === b.episode && a.lastFiredMs === b.lastFiredMs && a.memo === b.memo;

/** Before any numbers, no rule looks back (initialState answers "unknown"). */
const NO_PAST: PastValues = { atOrBefore: () => undefined };

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
  /** Loads and passes run one at a time: a pass decides from the state the previous one left. */
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * While a load streams rows, rule changes made meanwhile (/alert add, remove…) are kept here and
   * applied again to what it loaded: the rows it read may predate them.
   */
  private changedDuringLoad: (() => void)[] | undefined;
  /** Memory holds decisions that were never committed (a failed pass whose reload failed too). */
  private stale = false;
  /**
   * Where the store's rule change log stood when memory last matched it: each pass first applies
   * what any instance changed since (/alert, /forget, welcome-back run wherever a command lands).
   * Undefined until load(): an engine never loaded holds only what it was told.
   */
  private cursor: number | undefined;

  constructor(
    private readonly repos: AlertEngineRepos,
    private readonly log: Logger,
  ) {}

  /** Loads every active rule from the store (start-up). */
  load(): Promise<void> {
    return this.serially(() => this.reload());
  }

  get size(): number {
    return this.thresholds.size + this.others.size;
  }

  /** The most recent headline evaluated, so a new rule can say whether it already holds. */
  get latest(): Headline | undefined {
    return this.lastHeadline;
  }

  track(row: RuleRow): void {
    this.changedDuringLoad?.push(() => this.track(row));
    this.trackRow(row);
  }

  untrack(id: number): void {
    this.changedDuringLoad?.push(() => this.untrack(id));
    this.drop(id);
  }

  private trackRow(row: RuleRow): void {
    const spec = readSpec(row.specJson);
    if (spec) this.place(this.thresholds, this.others, row, spec);
    else this.log.error({ ruleId: row.id }, 'alert rule has an unreadable spec; skipping it');
  }

  private drop(id: number): void {
    this.thresholds.remove(id);
    this.others.delete(id);
  }

  /** The owner cannot be reached (their rules were disabled in the store): stop evaluating them. */
  untrackDestination(d: Destination): void {
    this.changedDuringLoad?.push(() => this.untrackDestination(d));
    this.thresholds.removeOwner(d);
    for (const rule of [...this.others.values()]) {
      if (rule.destination.platform === d.platform && rule.destination.chatId === d.chatId) this.others.delete(rule.id);
    }
  }

  /**
   * The state a new rule should start in, given the latest numbers (evaluate.ts). Inside a
   * transaction, pass its snapshots as `reader`: the store's own would wait for that transaction.
   */
  async initialState(
    spec: RuleSpec,
    h: Headline | undefined = this.lastHeadline,
    reader: PastReader = this.repos.snapshots,
  ): Promise<{ state: AlertState; alreadyTrue: boolean }> {
    const past = h ? await this.fetchPast(reader, () => [spec], h) : NO_PAST;
    return initialState(spec, h, past);
  }

  evaluate(h: Headline): Promise<EvaluationResult> {
    return this.serially(() => this.pass(h));
  }

  private async pass(h: Headline): Promise<EvaluationResult> {
    if (this.stale) await this.reload();
    else await this.applyChanges();
    // The only read of the pass, before anything in memory moves: evaluation itself asks no store.
    const past = await this.fetchPast(this.repos.snapshots, () => [...this.others.values()].map((r) => r.spec), h);
    const { slots, rules: thresholdRules } = this.candidates(h);
    const { decisions, skipped } = evaluate<ThresholdRule | Live>([...thresholdRules, ...this.others.values()], h, past);
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
    const checked = thresholdRules.length + this.others.size;
    const nowMs = h.atMs;
    const snapshots = headlineRows(h);
    try {
      // One statement per kind of write, however many rules changed; the poll's figures (the
      // recorder's rows) are recorded in the same transaction.
      await this.repos.transaction(async (tx) => {
        if (snapshots.length) await tx.snapshots.upsertMany(snapshots);
        await tx.rules.saveStates(writes, nowMs);
        await tx.outbox.enqueueMany(messages, nowMs);
      });
    } catch (err) {
      // Nothing was committed: forget what this pass decided, so the next one decides it again.
      this.lastValue.clear();
      this.stale = true;
      try {
        await this.reload();
      } catch (reloadErr) {
        // The store is likely still unwell: the next pass reloads before deciding anything.
        this.log.error({ err: (reloadErr as Error).message }, 'alerts: reloading the rules after a failed pass failed too');
      }
      throw err;
    }
    this.lastHeadline = h;
    return { fired: messages.length, checked };
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Every active rule from the store, into fresh columns that replace the old ones once complete. */
  private async reload(): Promise<void> {
    const changed: (() => void)[] = [];
    this.changedDuringLoad = changed;
    try {
      // Read before the rules: a change committed while they stream is then applied by the next pass.
      const cursor = await this.repos.rules.changeCursor();
      const thresholds = new ThresholdRules(await this.repos.rules.countActive());
      const others = new Map<number, Live>();
      await this.repos.rules.eachActive((row) => {
        const spec = readSpec(row.specJson);
        if (spec) this.place(thresholds, others, row, spec);
        else this.log.error({ ruleId: row.id }, 'alert rule has an unreadable spec; skipping it');
      });
      thresholds.build();
      this.thresholds = thresholds;
      this.others = others;
      this.stale = false;
      this.cursor = cursor;
    } finally {
      this.changedDuringLoad = undefined;
      for (const change of changed) change();
    }
  }

  /**
   * Rules changed since the cursor, by any instance, re-read from the store and tracked or
   * untracked as they stand now. One query when nothing changed; one more per changed rule.
   */
  private async applyChanges(): Promise<void> {
    if (this.cursor === undefined) return;
    const { ruleIds, cursor } = await this.repos.rules.changesSince(this.cursor);
    if (ruleIds.length === 0) return;
    // A command on this instance may track or untrack a rule while its row is being read here;
    // what it did is newer than that row, so it is applied again afterwards (as during a load).
    const changed: (() => void)[] = [];
    this.changedDuringLoad = changed;
    try {
      const rows: { id: number; row: RuleRow | undefined }[] = [];
      for (const id of ruleIds) rows.push({ id, row: await this.repos.rules.get(id) });
      for (const { id, row } of rows) {
        if (!row || row.paused || row.disabledReason !== null) this.drop(id);
        // Most changes were made here and are tracked already, with the state the store holds:
        // placing them again would spend another index slot (dead ones stay until the next load).
        else if (!sameState(this.trackedState(id), row.state)) this.trackRow(row);
      }
      this.cursor = cursor;
    } finally {
      this.changedDuringLoad = undefined;
      for (const change of changed) change();
    }
    // The log would otherwise grow with every rule change ever made; what is applied is not needed
    // again (a new leader starts from a load). Failing to prune costs nothing but space.
    await this.repos.rules.pruneChanges(cursor).catch((err: unknown) => {
      this.log.warn({ err: (err as Error).message }, 'alerts: could not prune the rule change log');
    });
  }

  private trackedState(id: number): AlertState | undefined {
    const slot = this.thresholds.index.slotOf(id);
    return slot >= 0 ? this.thresholds.rule(slot)?.state : this.others.get(id)?.state;
  }

  private place(thresholds: ThresholdRules, others: Map<number, Live>, row: RuleRow, spec: RuleSpec): void {
    thresholds.remove(row.id);
    others.delete(row.id);
    if (spec.kind === 'threshold') {
      thresholds.add(row.id, spec, row.cooldownSec, row.platform, row.externalId, row.state);
    } else {
      const destination = thresholds.destination(row.platform, row.externalId);
      others.set(row.id, { id: row.id, destination, spec, cooldownSec: row.cooldownSec, state: row.state });
    }
  }

  /**
   * The recorded values the rules will ask for, fetched before evaluating (evaluate.ts stays pure
   * and makes no store call per rule). Asked again after each fetch: a rule added meanwhile may
   * look back at a moment not fetched yet.
   */
  private async fetchPast(reader: PastReader, specs: () => Iterable<RuleSpec>, h: Headline): Promise<PastValues> {
    const found = new Map<string, { tsSec: number; value: number } | undefined>();
    const key = (metric: string, tsSec: number) => `${metric}:${tsSec}`;
    for (;;) {
      const missing = pastMoments(specs(), h).filter((m) => !found.has(key(m.metric, m.tsSec)));
      if (missing.length === 0) break;
      for (const m of missing) {
        const row = await reader.atOrBefore(METRICS[m.metric].snapshot, m.tsSec);
        found.set(key(m.metric, m.tsSec), row && { tsSec: row.tsSec, value: row.value });
      }
    }
    return {
      atOrBefore(metric, tsSec) {
        const k = key(metric, tsSec);
        // pastMoments and the evaluation disagree: a bug to see, not a change rule quietly skipped.
        if (!found.has(k)) throw new Error(`alerts: past value ${k} was not fetched before evaluating`);
        return found.get(k);
      },
    };
  }

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
