/**
 * Block subsidy schedule. Computed in integer sats with a right shift, exactly as Bitcoin Core's
 * GetBlockSubsidy does, so rounding never drifts (e.g. 50 BTC >> 10 truncates a sat).
 */
import { HALVING_INTERVAL, SATS_PER_BTC } from './constants.ts';

const INITIAL_SUBSIDY_SATS = 50n * 100_000_000n;
/** After 64 halvings the shift would wrap in C; Core returns 0, and so do we. */
const MAX_HALVINGS = 64;

function assertHeight(height: number): void {
  if (!Number.isInteger(height) || height < 0) throw new RangeError(`height must be a non-negative integer, got ${height}`);
}

function subsidySats(height: number): bigint {
  const halvings = Math.floor(height / HALVING_INTERVAL);
  return halvings >= MAX_HALVINGS ? 0n : INITIAL_SUBSIDY_SATS >> BigInt(halvings);
}

export function subsidyBtc(height: number): number {
  assertHeight(height);
  return Number(subsidySats(height)) / SATS_PER_BTC;
}

/** Sum of the subsidies of blocks 0..height inclusive (ignores the few coins provably never claimed). */
export function circulatingSupplyBtc(height: number): number {
  assertHeight(height);
  let total = 0n;
  const lastEra = Math.floor(height / HALVING_INTERVAL);
  for (let era = 0; era <= lastEra && era < MAX_HALVINGS; era++) {
    const blocksInEra = era < lastEra ? HALVING_INTERVAL : (height % HALVING_INTERVAL) + 1;
    total += BigInt(blocksInEra) * (INITIAL_SUBSIDY_SATS >> BigInt(era));
  }
  return Number(total) / SATS_PER_BTC;
}

/** The next height at which the subsidy halves, and how many blocks remain until it. */
export function nextHalving(height: number): { height: number; blocksLeft: number } {
  assertHeight(height);
  const next = (Math.floor(height / HALVING_INTERVAL) + 1) * HALVING_INTERVAL;
  return { height: next, blocksLeft: next - height };
}
