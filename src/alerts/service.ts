/**
 * What `/alert` does, behind the command: per-user rule management with the per-user limit.
 * Users only ever see and touch their own rules (every query is scoped by the owner).
 */
import { int, pct } from '../core/format.ts';
import type { Headline } from '../core/headline.ts';
import type { Reply } from '../core/reply.ts';
import { errorReply } from '../core/reply.ts';
import type { Store } from '../store/index.ts';
import type { AlertEngine } from './engine.ts';
import { nextHalving } from '../core/metrics/subsidy.ts';
import type { AlertCommands, AlertUser } from '../core/services.ts';
import { ADD_EXAMPLES, isRuleSpec, parseRule, readSpec } from './parse.ts';
import { DEFAULT_COOLDOWN_SEC, describeRule, type RuleSpec } from './rules.ts';
import { plural } from '../core/plural.ts';

/** Where a fired alert will appear: at the terminal it is printed at the prompt, not sent anywhere. */
const footerFor = (user: AlertUser): string[] => [
  user.platform === 'console'
    ? 'Alerts print here at the prompt while hashwatch runs. Only you can see and change your rules.'
    : 'Alerts arrive by direct message. Only you can see and change your rules.',
];

const ok = (user: AlertUser, title: string, lines: string[], data?: Record<string, unknown>): Reply => ({
  title,
  lines,
  sections: [],
  footer: footerFor(user),
  tone: 'neutral',
  ephemeral: true,
  ...(data ? { data } : {}),
});

/** Two specs are the same rule when they hold the same fields and values, in any key order. */
function sameSpec(a: RuleSpec, b: RuleSpec): boolean {
  const canonical = (s: RuleSpec) => JSON.stringify(Object.entries(s).sort(([x], [y]) => (x < y ? -1 : 1)));
  return canonical(a) === canonical(b);
}

export interface AlertServiceDeps {
  store: Store;
  engine: AlertEngine;
  maxPerUser: number;
  now(): number;
  /**
   * Today's numbers when the engine has not evaluated yet (just after start-up), so a new rule can
   * say whether it already holds. Absent or failing: the reply says the first poll will tell.
   */
  fetchHeadline?(): Promise<Headline>;
}

export function alertCommands(deps: AlertServiceDeps): AlertCommands {
  const { store, engine } = deps;
  const notFound = (ruleId: number) =>
    errorReply('No such alert', `You have no alert #${ruleId}. /alert list shows your rules and their ids.`);

  /** Why this user may not add this rule now, if they may not: a duplicate, or the limit. */
  const refusal = async (user: AlertUser, spec: RuleSpec): Promise<Reply | undefined> => {
    const found = await store.users.find(user.platform, user.id);
    const rows = found ? await store.rules.listForUser(found.id) : [];
    const twin = rows.find((r) => {
      const stored = readSpec(r.specJson);
      return stored !== undefined && sameSpec(stored, spec);
    });
    if (twin) {
      const status = twin.disabledReason
        ? ' (paused: messages to you failed; any command in a direct message restarts it)'
        : twin.paused
          ? ` (paused: /alert resume ${twin.id})`
          : '';
      return errorReply(
        'Alert already exists',
        `You already have this alert: #${twin.id}${status}. Two identical rules would send every alert twice.`,
      );
    }
    if (rows.length >= deps.maxPerUser) {
      return errorReply(
        'Alert limit reached',
        `You already have ${plural(deps.maxPerUser, 'alert')}, the most allowed. Remove one first (/alert list, then /alert remove <id>).`,
      );
    }
    return undefined;
  };

  /** The rule as stored now into the engine: gone meanwhile (a /forget racing this), nothing to track. */
  const trackStored = async (ruleId: number) => {
    const row = await store.rules.get(ruleId);
    if (row && !row.paused && row.disabledReason === null) engine.track(row);
  };

  const currentNumbers = async (): Promise<Headline | undefined> => {
    if (engine.latest) return engine.latest;
    try {
      const h = await deps.fetchHeadline?.();
      return engine.latest ?? h;
    } catch {
      return engine.latest;
    }
  };

  return {
    async add(user, words, cooldownMinutes) {
      const parsed = parseRule(words);
      if (!parsed.ok) return errorReply('/alert add: check the rule', `${parsed.message}\nMore examples: ${ADD_EXAMPLES.join(' · ')}`);
      // The parser's output is checked as strictly as a stored row: nothing half-formed is stored.
      const spec: unknown = JSON.parse(JSON.stringify(parsed.spec));
      if (!isRuleSpec(spec))
        return errorReply('/alert add: check the rule', `That rule could not be read. Examples: ${ADD_EXAMPLES.join(' · ')}`);
      const early = await refusal(user, spec);
      if (early) return early;
      const h = await currentNumbers();
      // Checked again after the wait: another /alert add of this user may have landed meanwhile.
      const late = await refusal(user, spec);
      if (late) return late;
      const { state, alreadyTrue } = await engine.initialState(spec, h);
      const cooldownSec = cooldownMinutes === undefined ? DEFAULT_COOLDOWN_SEC : Math.round(cooldownMinutes * 60);
      const owner = await store.users.ensure(user.platform, user.id, user.name, deps.now());
      const id = await store.rules.insert({ userId: owner, specJson: JSON.stringify(spec), cooldownSec, createdMs: deps.now() }, state);
      await trackStored(id);
      const lines = [`You will be alerted when: ${describeRule(spec)}.`];
      if (!h)
        lines.push(
          'The current numbers are not in yet, so I cannot tell whether this already holds: I will check at the next block, and if it holds then, it waits for the next crossing.',
        );
      else if (alreadyTrue) lines.push(alreadyTrueLine(spec, h));
      if (spec.kind === 'threshold' || spec.kind === 'change' || spec.kind === 'hashprice_low') {
        lines.push(
          cooldownSec > 0
            ? `It fires once per crossing; at most once every ${Math.round(cooldownSec / 60)} min.`
            : 'It fires once per crossing (no cooldown).',
        );
      }
      return ok(user, `Alert #${id} added`, lines, { ruleId: id, spec, alreadyTrue, checked: h !== undefined });
    },

    async list(user) {
      const found = await store.users.find(user.platform, user.id);
      const rows = found ? await store.rules.listForUser(found.id) : [];
      if (rows.length === 0) return ok(user, 'Your alerts', [`You have no alerts. Add one, e.g. ${ADD_EXAMPLES[0]}`], { rules: [] });
      const lines = rows.map((r) => {
        const spec = readSpec(r.specJson);
        const what = spec ? describeRule(spec) : 'unreadable rule';
        const status = r.disabledReason ? ' (paused: messages to you failed)' : r.paused ? ' (paused)' : '';
        return `#${r.id}: ${what}${status}`;
      });
      const unreachable = rows.find((r) => r.disabledReason);
      if (unreachable) lines.push(unreachableLine(unreachable.disabledReason!));
      return ok(user, `Your alerts (${rows.length} of ${deps.maxPerUser})`, lines, { rules: rows.map((r) => r.id) });
    },

    async remove(user, ruleId) {
      const found = await store.users.find(user.platform, user.id);
      if (!found || !(await store.rules.deleteForUser(found.id, ruleId))) return notFound(ruleId);
      engine.untrack(ruleId);
      return ok(user, `Alert #${ruleId} removed`, ['It will not fire again.'], { ruleId });
    },

    async pause(user, ruleId) {
      const found = await store.users.find(user.platform, user.id);
      if (!found || !(await store.rules.setPaused(found.id, ruleId, true))) return notFound(ruleId);
      engine.untrack(ruleId);
      return ok(user, `Alert #${ruleId} paused`, [`Resume it with /alert resume ${ruleId}.`], { ruleId });
    },

    async resume(user, ruleId) {
      const found = await store.users.find(user.platform, user.id);
      const row = found && (await store.rules.getForUser(found.id, ruleId));
      if (!found || !row) return notFound(ruleId);
      if (row.disabledReason) return errorReply(`Alert #${ruleId} is paused`, unreachableLine(row.disabledReason));
      const spec = readSpec(row.specJson);
      if (!spec) return errorReply('Alert unreadable', `Alert #${ruleId} cannot be read; remove it and add it again.`);
      // Resuming is like creating: what became true while paused waits for the next crossing.
      const { state, alreadyTrue } = await engine.initialState(spec);
      await store.transaction(async (tx) => {
        await tx.rules.setPaused(found.id, ruleId, false);
        await tx.rules.saveState(ruleId, { ...state, episode: row.state.episode, lastFiredMs: row.state.lastFiredMs }, deps.now());
      });
      await trackStored(ruleId);
      const lines = [`Watching again: ${describeRule(spec)}.`];
      if (alreadyTrue && engine.latest) lines.push(alreadyTrueLine(spec, engine.latest));
      return ok(user, `Alert #${ruleId} resumed`, lines, { ruleId, alreadyTrue });
    },
  };
}

/** Why a rule stopped without the user pausing it, and what brings it back. */
function unreachableLine(reason: string): string {
  return `Paused by me, not deleted: messages to you failed (${reason}). Send me any command in a direct message and your alerts start again.`;
}

/** What "already true" means for this kind of rule, with the numbers that make it so. */
function alreadyTrueLine(spec: RuleSpec, h: Headline): string {
  if (spec.kind === 'pool_share') {
    const above = h.pools1w.filter((p) => p.sharePercent > spec.percent).map((p) => `${p.name} (${pct(p.sharePercent)})`);
    return `Already above the line right now: ${above.join(', ')}. It fires when another pool crosses it, or one of these again after falling back below.`;
  }
  if (spec.kind === 'halving') {
    const next = nextHalving(h.height);
    return `The halving at block ${int(next.height)} is already ${int(next.blocksLeft)} blocks away, within your ${int(spec.blocks)}: this rule fires for the halving after it, not this one.`;
  }
  if (spec.kind === 'hashprice_low') {
    return `Hashprice is at a new ${spec.days}-day low right now, so it fires at the next new low after hashprice has recovered by 2 %, not now.`;
  }
  return 'This is already true right now, so it will fire on the next crossing (after the value moves back and crosses again), not now.';
}
