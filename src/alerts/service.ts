/**
 * What `/alert` does, behind the command: per-user rule management with the per-user limit.
 * Users only ever see and touch their own rules (every query is scoped by the owner).
 */
import type { Reply } from '../core/reply.ts';
import { errorReply } from '../core/reply.ts';
import type { Store } from '../store/index.ts';
import type { AlertEngine } from './engine.ts';
import { ADD_EXAMPLES, isRuleSpec, parseRule, type RuleWords } from './parse.ts';
import { DEFAULT_COOLDOWN_SEC, describeRule } from './rules.ts';
import { plural } from '../core/plural.ts';

export interface AlertUser {
  platform: string;
  id: string;
  name?: string;
}

export interface AlertCommands {
  add(user: AlertUser, words: RuleWords, cooldownMinutes?: number): Reply;
  list(user: AlertUser): Reply;
  remove(user: AlertUser, ruleId: number): Reply;
  pause(user: AlertUser, ruleId: number): Reply;
  resume(user: AlertUser, ruleId: number): Reply;
}

const FOOTER = ['Alerts arrive by direct message. Only you can see and change your rules.'];

const ok = (title: string, lines: string[], data?: Record<string, unknown>): Reply => ({
  title,
  lines,
  sections: [],
  footer: FOOTER,
  tone: 'neutral',
  ephemeral: true,
  ...(data ? { data } : {}),
});

export function alertCommands(deps: { store: Store; engine: AlertEngine; maxPerUser: number; now(): number }): AlertCommands {
  const { store, engine } = deps;
  const userId = (u: AlertUser) => store.users.ensure(u.platform, u.id, u.name, deps.now());
  const notFound = (ruleId: number) =>
    errorReply('No such alert', `You have no alert #${ruleId}. /alert list shows your rules and their ids.`);

  return {
    add(user, words, cooldownMinutes) {
      const parsed = parseRule(words);
      if (!parsed.ok) return errorReply('/alert add: check the rule', `${parsed.message}\nMore examples: ${ADD_EXAMPLES.join(' · ')}`);
      const owner = userId(user);
      if (store.rules.countForUser(owner) >= deps.maxPerUser) {
        return errorReply('Alert limit reached', `You already have ${plural(deps.maxPerUser, 'alert')}, the most allowed. Remove one first (/alert list, then /alert remove <id>).`);
      }
      const { state, alreadyTrue } = engine.initialState(parsed.spec);
      const cooldownSec = cooldownMinutes === undefined ? DEFAULT_COOLDOWN_SEC : Math.round(cooldownMinutes * 60);
      const id = store.rules.insert({ userId: owner, specJson: JSON.stringify(parsed.spec), cooldownSec, createdMs: deps.now() }, state);
      const row = store.rules.get(id)!;
      engine.track(row);
      const described = describeRule(parsed.spec);
      const lines = [`You will be alerted when: ${described}.`];
      if (alreadyTrue) lines.push('This is already true right now, so it will fire on the next crossing (after the value moves back and crosses again), not now.');
      if (parsed.spec.kind === 'threshold' || parsed.spec.kind === 'change' || parsed.spec.kind === 'hashprice_low') {
        lines.push(cooldownSec > 0 ? `It fires once per crossing; at most once every ${Math.round(cooldownSec / 60)} min.` : 'It fires once per crossing (no cooldown).');
      }
      return ok(`Alert #${id} added`, lines, { ruleId: id, spec: parsed.spec, alreadyTrue });
    },

    list(user) {
      const found = store.users.find(user.platform, user.id);
      const rows = found ? store.rules.listForUser(found.id) : [];
      if (rows.length === 0) return ok('Your alerts', [`You have no alerts. Add one, e.g. ${ADD_EXAMPLES[0]}`], { rules: [] });
      const lines = rows.map((r) => {
        const spec: unknown = JSON.parse(r.specJson);
        const what = isRuleSpec(spec) ? describeRule(spec) : 'unreadable rule';
        const status = r.disabledReason ? ` (disabled: ${r.disabledReason})` : r.paused ? ' (paused)' : '';
        return `#${r.id}: ${what}${status}`;
      });
      return ok(`Your alerts (${rows.length} of ${deps.maxPerUser})`, lines, { rules: rows.map((r) => r.id) });
    },

    remove(user, ruleId) {
      const found = store.users.find(user.platform, user.id);
      if (!found || !store.rules.deleteForUser(found.id, ruleId)) return notFound(ruleId);
      engine.untrack(ruleId);
      return ok(`Alert #${ruleId} removed`, ['It will not fire again.'], { ruleId });
    },

    pause(user, ruleId) {
      const found = store.users.find(user.platform, user.id);
      if (!found || !store.rules.setPaused(found.id, ruleId, true)) return notFound(ruleId);
      engine.untrack(ruleId);
      return ok(`Alert #${ruleId} paused`, [`Resume it with /alert resume ${ruleId}.`], { ruleId });
    },

    resume(user, ruleId) {
      const found = store.users.find(user.platform, user.id);
      const row = found && store.rules.getForUser(found.id, ruleId);
      if (!found || !row) return notFound(ruleId);
      if (row.disabledReason) {
        return errorReply('Alert disabled', `Alert #${ruleId} was disabled because messages to you failed (${row.disabledReason}). Remove it and add it again once the bot can message you.`);
      }
      const spec: unknown = JSON.parse(row.specJson);
      if (!isRuleSpec(spec)) return errorReply('Alert unreadable', `Alert #${ruleId} cannot be read; remove it and add it again.`);
      // Resuming is like creating: what became true while paused waits for the next crossing.
      const { state, alreadyTrue } = engine.initialState(spec);
      store.transaction(() => {
        store.rules.setPaused(found.id, ruleId, false);
        store.rules.saveState(ruleId, { ...state, episode: row.state.episode, lastFiredMs: row.state.lastFiredMs }, deps.now());
      });
      engine.track(store.rules.get(ruleId)!);
      const lines = [`Watching again: ${describeRule(spec)}.`];
      if (alreadyTrue) lines.push('This is already true right now, so it will fire on the next crossing, not now.');
      return ok(`Alert #${ruleId} resumed`, lines, { ruleId, alreadyTrue });
    },
  };
}
