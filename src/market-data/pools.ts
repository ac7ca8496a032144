import { UpstreamError, type Market, type PoolWindow } from '../core/market.ts';

/** Pool stats with at least one block, so concentration figures are defined. */
export async function loadPools(market: Market, window: PoolWindow) {
  const stats = await market.pools(window);
  if (!stats.value.pools.some((p) => p.blockCount > 0)) {
    throw new UpstreamError(
      'pools',
      `${stats.source} returned no blocks for the ${window} window; a self-hosted mempool needs mining indexing enabled.`,
    );
  }
  return stats;
}
