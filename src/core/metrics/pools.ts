/**
 * Mining pool concentration from blocks found in a window. Blocks whose miner could not be
 * identified are one "Unknown" bucket: it may hide many small miners, so callers should say so.
 */

interface PoolShare {
  name: string;
  blocks: number;
  /** Fraction of all blocks in the window, 0..1. */
  share: number;
}

export interface PoolConcentration {
  total: number;
  /** Sorted by blocks, largest first (ties by name for a stable order). */
  shares: PoolShare[];
  top1: { name: string; share: number };
  top3Share: number;
  /** Fewest pools whose combined share exceeds 50 %. */
  nakamoto: number;
  /** Herfindahl-Hirschman index: sum of squared percentage shares, 0..10,000. */
  hhi: number;
  unknownShare: number;
}

export const UNKNOWN_POOL = 'Unknown';

/** Throws a RangeError for a negative or fractional count, or when no blocks were found at all. */
export function poolConcentration(pools: { name: string; blockCount: number }[]): PoolConcentration {
  const blocksByName = new Map<string, number>();
  for (const p of pools) {
    if (!Number.isInteger(p.blockCount) || p.blockCount < 0)
      throw new RangeError(`block count of ${p.name} must be a non-negative integer, got ${p.blockCount}`);
    if (p.blockCount === 0) continue;
    const name = p.name.trim().toLowerCase() === 'unknown' ? UNKNOWN_POOL : p.name;
    blocksByName.set(name, (blocksByName.get(name) ?? 0) + p.blockCount);
  }
  const total = [...blocksByName.values()].reduce((a, b) => a + b, 0);
  if (total === 0) throw new RangeError('no blocks found in this window, so there are no pool shares');

  const shares = [...blocksByName]
    .map(([name, blocks]) => ({ name, blocks, share: blocks / total }))
    .sort((a, b) => b.blocks - a.blocks || a.name.localeCompare(b.name));

  let nakamoto = 0;
  let cumulative = 0;
  // Compare block counts, not float shares, so "exceeds half" is exact: 2 × blocks > total.
  while (2 * cumulative <= total) cumulative += shares[nakamoto++]!.blocks;

  const top1 = shares[0]!;
  return {
    total,
    shares,
    top1: { name: top1.name, share: top1.share },
    top3Share: shares.slice(0, 3).reduce((a, s) => a + s.blocks, 0) / total,
    nakamoto,
    hhi: shares.reduce((a, s) => a + (s.share * 100) ** 2, 0),
    unknownShare: (blocksByName.get(UNKNOWN_POOL) ?? 0) / total,
  };
}
