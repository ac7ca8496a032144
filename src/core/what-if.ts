/**
 * What-if inputs as a miner means them, and the figures no real network could produce.
 * A what-if replaces a live input; a typo must not come back as "527,221,709 BTC per PH/day".
 */
import { BLOCKS_PER_DAY, HASHES_PER_DIFF1, PH, SECONDS_PER_DAY } from './metrics/constants.ts';
import { blocksPerPhDay } from './metrics/hashprice.ts';
import type { OptionSpecs } from './command.ts';
import { int } from './format.ts';

/** The market what-ifs /hashprice and /halving share: declared once, so both read and bound them alike. */
export const MARKET_WHAT_IFS = {
  price: {
    kind: 'number',
    min: 1,
    max: 10_000_000,
    unit: 'USD per BTC',
    example: 'price=60000',
    description: 'What-if BTC price in USD (the reply is then in USD)',
  },
  difficulty: {
    kind: 'number',
    min: 1,
    max: 1e18,
    example: 'difficulty=120T',
    description: 'What-if network difficulty (e.g. 120T; a bare 120 means 120T)',
  },
  fees: {
    kind: 'number',
    min: 0,
    max: 100,
    unit: 'BTC per block',
    example: 'fees=0.05',
    description: 'What-if average fees per block, in BTC',
  },
} as const satisfies OptionSpecs;

/**
 * Real difficulty has been above 1e6 since 2010 and is quoted in T ("113.76 T"), so a bare number
 * below a million is a number of T that lost its suffix.
 */
const BARE_DIFFICULTY_BELOW = 1e6;

export function readWhatIfDifficulty(raw: number): { difficulty: number; note?: string } {
  if (raw >= BARE_DIFFICULTY_BELOW) return { difficulty: raw };
  const shown = raw.toLocaleString('en-US', { maximumFractionDigits: 6 });
  return { difficulty: raw * 1e12, note: `difficulty ${shown} read as ${shown} T` };
}

/**
 * The what-if options as given, with a bare difficulty read as T, and the sentences that say how
 * they were read ("Difficulty 120 read as 120 T."). Every command with a difficulty= what-if uses it.
 */
export function readWhatIfs<A extends { difficulty?: number }>(args: A): { given: A; readAs: string[] } {
  if (args.difficulty === undefined) return { given: args, readAs: [] };
  const d = readWhatIfDifficulty(args.difficulty);
  return { given: { ...args, difficulty: d.difficulty }, readAs: d.note ? [`${d.note.charAt(0).toUpperCase()}${d.note.slice(1)}.`] : [] };
}

/**
 * Why a what-if figure cannot happen, or undefined when it can. 1 PH/s earns at most what the whole
 * network earns (subsidy + fees of the day's 144 blocks) only if the network has at least 1 PH/s:
 * difficulty ≥ 1e15 × 600 / 2^32 ≈ 139.7 million. Below that the figure exceeds every block of the
 * day. (The option bounds, fees ≤ 100 BTC a block, already keep a day's income far below 21M BTC.)
 */
export function impossibleWhatIf(i: { difficulty: number; subsidyBtc: number; avgFeesBtc: number; priceUsd?: number }): string | undefined {
  const numbers = [i.difficulty, i.subsidyBtc, i.avgFeesBtc, i.priceUsd ?? 0];
  if (!numbers.every(Number.isFinite)) return 'these inputs do not give a finite hashprice.';
  const blocks = blocksPerPhDay(i.difficulty);
  if (blocks > BLOCKS_PER_DAY) {
    const minDifficulty = (PH * SECONDS_PER_DAY) / (BLOCKS_PER_DAY * HASHES_PER_DIFF1);
    return `at difficulty ${int(i.difficulty)}, 1 PH/s would find ${int(blocks)} blocks a day, more than the ${BLOCKS_PER_DAY} the whole network finds. The difficulty must be at least ${int(Math.ceil(minDifficulty))}; it is usually written in T, e.g. 120T.`;
  }
  return undefined;
}
