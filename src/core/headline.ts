/**
 * The headline numbers of the network at one moment: what the digest summarises and what alert
 * rules are evaluated against. Built once per poll, shared by every user.
 */
import type { Point } from './metrics/history.ts';

type RibbonState = 'capitulation' | 'recovery' | 'normal';

/** Figures that can be computed with an input missing, at a loss of accuracy (fees → subsidy only). */
export type DegradableFigure = 'hashpriceUsdPerPhDay' | 'hashpriceBtcPerPhDay' | 'feeSharePercent';

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
  /**
   * The network's current hashrate estimate (H/s) and where it came from, when a fresh one could be
   * had: recorded for the daily hashrate chart, no input of the figures above.
   */
  hashrateEstimate?: { hashrate: number; source: string };
  /** Difficulty of the tip block (the raw number; 113.76 T is 1.1376e14). */
  difficulty: number;
  /**
   * Estimated change at the next retarget, percent; undefined while too few blocks of the epoch
   * are in to estimate it (see retargetSummary).
   */
  difficultyChangePercent?: number;
  lastRetarget: { timeSec: number; changePercent: number };
  feeSharePercent: number;
  /** Largest pool over the last week. */
  topPool: { name: string; sharePercent: number };
  pools1w: { name: string; sharePercent: number }[];
  nakamoto: number;
  ribbons: RibbonState;
  /** Daily USD hashprice history before today's UTC day (oldest first), for "new N-day low" events. */
  hashpriceHistory: Point[];
  /**
   * Figures computed with an input missing, each with what is missing in plain words. They are
   * shown marked as such, but never alerted on or recorded: a subsidy-only hashprice reads low.
   */
  degraded?: Partial<Record<DegradableFigure, string>>;
  /** Distinct sources behind these numbers, and whether any of them was stale. */
  sources: string[];
  stale: boolean;
}

/** A figure that alerts and history may use: undefined when it was computed with an input missing. */
export function trustedFigure(h: Headline, figure: DegradableFigure): number | undefined {
  return h.degraded?.[figure] === undefined ? h[figure] : undefined;
}

/**
 * A headline some of whose parts could not be loaded: the digest goes out with what there is and
 * names what is missing (each entry says what and why, user-safe).
 */
export type PartialHeadline = Pick<Headline, 'atMs'> & Partial<Omit<Headline, 'atMs'>> & { missing: string[] };
