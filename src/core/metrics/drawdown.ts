import type { Point } from './history.ts';

export interface Drawdown {
  /** Highest point (the earliest one if the high was matched later). */
  ath: Point;
  /** Latest point by time. */
  current: Point;
  /** How far the latest value is below the high, percent (0 at a new high). */
  percentBelowAth: number;
}

/** Undefined for an empty series or one whose high is not positive (no meaningful percentage). */
export function drawdown(series: Point[]): Drawdown | undefined {
  let ath: Point | undefined;
  let current: Point | undefined;
  for (const p of series) {
    if (!ath || p.v > ath.v || (p.v === ath.v && p.t < ath.t)) ath = p;
    if (!current || p.t > current.t) current = p;
  }
  if (!ath || !current || !(ath.v > 0)) return undefined;
  return { ath, current, percentBelowAth: (1 - current.v / ath.v) * 100 };
}
