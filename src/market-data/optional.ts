import { UpstreamError } from '../core/market.ts';

/**
 * Secondary data (history, comparisons) must not sink a reply whose main figure is available:
 * on an upstream failure the caller gets undefined and a caveat to show.
 */
export async function optional<T>(work: Promise<T>, warnings: string[], what: string): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err;
    warnings.push(`${what} unavailable: ${err.message}`);
    return undefined;
  }
}
