/** Protocol and unit constants shared by every metric. */

/** Expected hashes per difficulty-1 share (2^32), the bridge between difficulty and hashrate. */
export const HASHES_PER_DIFF1 = 2 ** 32;
export const SECONDS_PER_DAY = 86400;
/** 1 PH/s in H/s. */
export const PH = 1e15;
export const SATS_PER_BTC = 1e8;
/** One block per 600 s target. */
export const BLOCKS_PER_DAY = 144;
export const HALVING_INTERVAL = 210000;
export const RETARGET_INTERVAL = 2016;
/** Target block interval (s). */
export const TARGET_BLOCK_SECONDS = 600;
