/**
 * A person's data as a whole, across alerts and digests: /forget deletes it, and someone whose
 * direct messages failed for good (blocked the bot on Telegram, left every server shared with it on
 * Discord) gets their paused alerts and direct-message digest back when they next write to the bot.
 */
import type { Store } from '../store/index.ts';
import type { AccountService } from '../core/services.ts';
import type { AlertEngine } from './engine.ts';
import { readSpec } from './parse.ts';

export function accountService(deps: { store: Store; engine: AlertEngine; now(): number }): AccountService {
  const { store, engine } = deps;
  return {
    dataOf: (user) => store.users.dataOf(user.platform, user.id),

    async forget(user) {
      const removed = await store.users.forget(user.platform, user.id);
      for (const id of removed.ruleIds) engine.untrack(id);
      return removed;
    },

    async welcomeBack(user, chatKind) {
      if (chatKind !== 'private') return [];
      const owner = await store.users.find(user.platform, user.id);
      const paused = owner ? (await store.rules.listForUser(owner.id)).filter((r) => r.disabledReason !== null) : [];
      const digest = await store.schedules.get(user.platform, user.id);
      const digestPaused = digest?.kind === 'user' && digest.disabledReason !== null;
      if (!paused.length && !digestPaused) return [];
      const reason = paused[0]?.disabledReason ?? digest?.disabledReason;
      const ids = await store.transaction(async (tx) => {
        const enabled = await tx.rules.enableForUser(user.platform, user.id);
        for (const id of enabled) {
          const row = (await tx.rules.get(id))!;
          // As after /alert resume: what became true while paused waits for the next crossing.
          const spec = readSpec(row.specJson);
          if (!spec) continue;
          const { state } = await engine.initialState(spec, engine.latest, tx.snapshots);
          await tx.rules.saveState(id, { ...state, episode: row.state.episode, lastFiredMs: row.state.lastFiredMs }, deps.now());
        }
        if (digestPaused) await tx.schedules.enableFor(user.platform, user.id);
        return enabled;
      });
      for (const id of ids) {
        const row = await store.rules.get(id);
        if (row && !row.paused) engine.track(row);
      }
      const what = [
        ...(ids.length ? [`${ids.length === 1 ? 'alert' : 'alerts'} ${ids.map((id) => `#${id}`).join(', ')}`] : []),
        ...(digestPaused ? ['your daily digest by direct message'] : []),
      ].join(' and ');
      return [
        `Welcome back: messages to you had failed (${reason}), so I had paused ${what}. You can be reached again, so they are back on.`,
      ];
    },
  };
}
