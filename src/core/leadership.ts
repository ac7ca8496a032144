/**
 * Whether this process is the one that does the work that must happen once across all instances
 * (Telegram long polling among it: two pollers on one token knock each other off with 409). A
 * single process is always leader; several instances on one database elect one.
 */
export interface LeaderSignal {
  /** True only while leadership is surely held: work that must happen once checks it before each step. */
  isLeader(): boolean;
  /**
   * Calls `listener` after every change of role; returns the unsubscribe. The listener reads
   * isLeader() rather than an argument, so an election that reports its role in any form (a flag,
   * 'leader' | 'follower') fits this port as it is.
   */
  onChange(listener: () => void): () => void;
}

/** One process, nobody to share with: always leader. */
export const soleLeader: LeaderSignal = {
  isLeader: () => true,
  onChange: () => () => undefined,
};
