/**
 * The headline numbers of the network at one moment: what the digest summarises and what alert
 * rules are evaluated against. Built once per poll, shared by every user.
 */
import type { Point } from './metrics/history.ts';

export type RibbonState = 'capitulation' | 'recovery' | 'normal';

export interface Headline {
  /** When these numbers were assembled (ms). */
  atMs: number;
  height: number;
  tipTimeSec: number;
  hashpriceUsdPerPhDay: number;
  hashpriceBtcPerPhDay: number;
  priceUsd: number;
  /** 7-day average hashrate, H/s, and its change in percent over 7 and 30 days. */
  hashrate7d: number;
  hashrate7dChange7dPercent?: number;
  hashrate7dChange30dPercent?: number;
  /** Difficulty of the tip block (the raw number; 113.76 T is 1.1376e14). */
  difficulty: number;
  /** Estimated change at the next retarget, percent. */
  difficultyChangePercent: number;
  lastRetarget: { timeSec: number; changePercent: number };
  feeSharePercent: number;
  /** Largest pool over the last week. */
  topPool: { name: string; sharePercent: number };
  pools1w: { name: string; sharePercent: number }[];
  nakamoto: number;
  ribbons: RibbonState;
  /** Daily USD hashprice history (oldest first), for "new N-day low" events. */
  hashpriceHistory: Point[];
  /** Distinct sources behind these numbers, and whether any of them was stale. */
  sources: string[];
  stale: boolean;
}
