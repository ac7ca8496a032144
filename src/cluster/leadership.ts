/**
 * Which process does the work that must happen once (alert evaluation, digests, outbox delivery,
 * Telegram long polling). With SQLite there is one process and it is always in charge; with
 * PostgreSQL several instances share one database and elect a leader through it
 * (postgres-leadership.ts).
 */

import type { LeaderSignal } from '../core/leadership.ts';

export type Role = 'leader' | 'follower' | 'single';

/** The election itself; the platforms see only its LeaderSignal side (src/core/leadership.ts). */
export interface Leadership extends LeaderSignal {
  /** The role right now; a leader whose lease ran out is already a follower here. */
  role(): Role;
  /**
   * True only while this process surely holds the lease. Cheap and synchronous: check it right
   * before every action that must happen once (a send, a claim), since the role can end at any
   * moment, including while the process was paused.
   */
  isLeader(): boolean;
  /** Calls `listener` after every role change; returns the function that unsubscribes it. */
  onChange(listener: (role: Role) => void): () => void;
  /** Begins competing; resolves after the first attempt, whatever its result. */
  start(): Promise<void>;
  /** Gives up the role (listeners hear it) and releases the lease. */
  stop(): Promise<void>;
}

/** One process on an embedded SQLite file: nobody to share the work with. */
export function singleLeadership(): Leadership {
  return {
    role: () => 'single',
    isLeader: () => true,
    onChange: () => () => {},
    start: async () => {},
    stop: async () => {},
  };
}
