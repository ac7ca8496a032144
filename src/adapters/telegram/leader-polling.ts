/**
 * Long polling on one instance at a time. The Bot API keeps one getUpdates per bot: a new long poll
 * ends the one waiting with 409 "Conflict: terminated by other getUpdates request"
 * (tdlib/telegram-bot-api, telegram-bot-api/Client.cpp: do_get_updates calls abort_long_poll), so two
 * pollers take turns knocking each other off and both keep retrying. Here only the leader polls:
 * gaining leadership starts a poller, losing it aborts the getUpdates in flight at once, so the old
 * leader does not come back for one more round while the new one polls.
 * Updates already handed to the intake are answered where they were received; a batch that arrives
 * after leadership is gone is left unconfirmed for the next leader (pollUpdates' mayPoll).
 */
import type { LeaderSignal } from '../../core/leadership.ts';
import { pollUpdates, type PollOptions } from './polling.ts';

export interface LeaderPollOptions extends Omit<PollOptions, 'mayPoll'> {
  leader: LeaderSignal;
}

/** Resolves when `signal` aborts; rejects like pollUpdates when Telegram refuses polling for good. */
export async function pollWhileLeader(opts: LeaderPollOptions): Promise<void> {
  const { leader, signal, log } = opts;
  while (!signal.aborted) {
    await leadershipOrStop(leader, signal);
    if (signal.aborted) return;
    const term = new AbortController();
    const endTerm = () => term.abort();
    const unsubscribe = leader.onChange(() => {
      if (!leader.isLeader()) endTerm();
    });
    signal.addEventListener('abort', endTerm, { once: true });
    log.info('telegram: leading; long polling started');
    try {
      await pollUpdates({ ...opts, signal: term.signal, mayPoll: () => leader.isLeader() });
    } finally {
      unsubscribe();
      signal.removeEventListener('abort', endTerm);
    }
    if (!signal.aborted) log.info('telegram: no longer leader; long polling stopped');
  }
}

function leadershipOrStop(leader: LeaderSignal, signal: AbortSignal): Promise<void> {
  if (leader.isLeader() || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      unsubscribe();
      signal.removeEventListener('abort', done);
      resolve();
    };
    const unsubscribe = leader.onChange(() => {
      if (leader.isLeader()) done();
    });
    signal.addEventListener('abort', done, { once: true });
    // Leadership may have come between the check above and the subscription.
    if (leader.isLeader()) done();
  });
}
