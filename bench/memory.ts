import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A real gc() even without --expose-gc, so RSS deltas measure what stays, not garbage. */
export function collector(): () => void {
  if (typeof global.gc === 'function') return global.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Live bytes (JS heap + array buffers) after a full collection. */
export function liveBytes(gc: () => void): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
