/**
 * Common SHA-256 ASICs with the maker's nameplate figures (stock mode, at the wall, ±5-10 % by unit
 * and temperature). Figures are specs, not measurements: say so when shown.
 *
 * Each figure was checked against public secondary sources: retailer and repair-shop reference
 * pages, a review quoting the maker, and open-source miner spec tables that agree with each other.
 * No maker product page was read directly, so each `source` names what was actually checked.
 * Models whose figures could not be confirmed (no source, or sources disagreeing) are left out
 * rather than guessed. Newer models first within each maker.
 */

export interface AsicModel {
  /** Lowercase, no spaces: what users type, e.g. "s19jpro" or "s21+". */
  id: string;
  name: string;
  hashrateThs: number;
  powerW: number;
  efficiencyJPerTh: number;
  /** Where the figures come from. */
  source: string;
}

/** Several independent open-source miner spec tables on GitHub (profitability calculators, fleet tools). */
const TABLES = 'open-source miner spec tables (GitHub)';
const ALL_FROM_TABLES = (maker: string, year: number) => `${maker} nameplate as listed alike in several ${TABLES}, ${year}`;

export const ASIC_MODELS: readonly AsicModel[] = Object.freeze([
  {
    id: 's21xphyd',
    name: 'Antminer S21 XP Hyd',
    hashrateThs: 473,
    powerW: 5676,
    efficiencyJPerTh: 12,
    source: ALL_FROM_TABLES('Bitmain', 2024),
  },
  {
    id: 's21xp',
    name: 'Antminer S21 XP',
    hashrateThs: 270,
    powerW: 3645,
    efficiencyJPerTh: 13.5,
    source: `Bitmain nameplate 270 TH/s and 13.5 J/TH on a retailer spec page; 3,645 W from ${TABLES}, 2024`,
  },
  {
    id: 's21pro',
    name: 'Antminer S21 Pro',
    hashrateThs: 234,
    powerW: 3510,
    efficiencyJPerTh: 15,
    source: ALL_FROM_TABLES('Bitmain', 2024),
  },
  {
    id: 's21+',
    name: 'Antminer S21+',
    hashrateThs: 216,
    powerW: 3564,
    efficiencyJPerTh: 16.5,
    source: `Bitmain nameplate 216 TH/s on retailer pages; 3,564 W and 16.5 J/TH from ${TABLES}, 2024`,
  },
  {
    id: 's21',
    name: 'Antminer S21',
    hashrateThs: 200,
    powerW: 3500,
    efficiencyJPerTh: 17.5,
    source: `Bitmain's published 200 TH/s and 17.5 J/TH as quoted in a hands-on review; 3,500 W from ${TABLES}, 2023`,
  },
  { id: 't21', name: 'Antminer T21', hashrateThs: 190, powerW: 3610, efficiencyJPerTh: 19, source: ALL_FROM_TABLES('Bitmain', 2023) },
  {
    id: 's19xp',
    name: 'Antminer S19 XP',
    hashrateThs: 140,
    powerW: 3010,
    efficiencyJPerTh: 21.5,
    source: `Bitmain nameplate 140 TH/s and 21.5 J/TH in a retailer's S19-series guide; 3,010 W from ${TABLES}, 2022`,
  },
  {
    id: 's19kpro',
    name: 'Antminer S19k Pro',
    hashrateThs: 120,
    powerW: 2760,
    efficiencyJPerTh: 23,
    source: ALL_FROM_TABLES('Bitmain', 2023),
  },
  {
    id: 's19jpro',
    name: 'Antminer S19j Pro',
    hashrateThs: 104,
    powerW: 3068,
    efficiencyJPerTh: 29.5,
    source: `Bitmain nameplate 104 TH/s at 29.5 J/TH in a retailer's S19-series guide; 3,068 W from ${TABLES}, 2021`,
  },
  {
    id: 's19pro',
    name: 'Antminer S19 Pro',
    hashrateThs: 110,
    powerW: 3250,
    efficiencyJPerTh: 29.5,
    source: "Bitmain nameplate 110 TH/s, 3,250 W, 29.5 J/TH in a retailer's S19-series guide, 2020",
  },
  {
    id: 's19',
    name: 'Antminer S19',
    hashrateThs: 95,
    powerW: 3250,
    efficiencyJPerTh: 34.2,
    source: "Bitmain nameplate 95 TH/s and 3,250 W in a retailer's S19-series guide (34.2 J/TH is power / hashrate), 2020",
  },
  { id: 'm60s', name: 'Whatsminer M60S', hashrateThs: 186, powerW: 3422, efficiencyJPerTh: 18.4, source: ALL_FROM_TABLES('MicroBT', 2023) },
  {
    id: 'm50s',
    name: 'Whatsminer M50S',
    hashrateThs: 126,
    powerW: 3276,
    efficiencyJPerTh: 26,
    source: `${ALL_FROM_TABLES('MicroBT', 2022)}; 26 J/TH also in a retailer's launch report`,
  },
  {
    id: 'm30s++',
    name: 'Whatsminer M30S++',
    hashrateThs: 112,
    powerW: 3472,
    efficiencyJPerTh: 31,
    source: ALL_FROM_TABLES('MicroBT', 2020),
  },
  {
    id: 'a1566',
    name: 'Avalon A1566',
    hashrateThs: 185,
    powerW: 3420,
    efficiencyJPerTh: 18.5,
    source: `Canaan nameplate 185 TH/s on a repair-shop reference page; 3,420 W from ${TABLES}, 2024`,
  },
  {
    id: 'a1466',
    name: 'Avalon A1466',
    hashrateThs: 150,
    powerW: 3230,
    efficiencyJPerTh: 21.5,
    source: 'Canaan nameplate 150 TH/s at 3,230 W on a repair-shop reference page, 2023',
  },
  {
    id: 'a1366',
    name: 'Avalon A1366',
    hashrateThs: 130,
    powerW: 3250,
    efficiencyJPerTh: 25,
    source: "Canaan's launch figures 130 TH/s and 25 J/TH as reported by a retailer's blog (3,250 W is their product), 2023",
  },
]);

/** Maker and family words users may or may not type ("Bitmain Antminer S21" = "s21"). */
const BRAND_WORDS = /^(bitmain|microbt|canaan)?(antminer|whatsminer|avalonminer|avalon)?/;

/**
 * Lowercase, without spaces, dashes, underscores, dots or the maker's words; "plus" → "+",
 * "hydro" → "hyd". Also how /profit compares what people type with the model ids.
 */
export function normaliseModelName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\s\-_.]+/g, '')
    .replace(/plus/g, '+')
    .replace(/hydro/g, 'hyd')
    .replace(BRAND_WORDS, '');
}

const BY_KEY = new Map<string, AsicModel>();
for (const m of ASIC_MODELS) {
  BY_KEY.set(normaliseModelName(m.id), m);
  BY_KEY.set(normaliseModelName(m.name), m);
}

/** A model by id or name, ignoring case, spaces, dashes and the maker's brand; undefined if unknown. */
export function findAsic(idOrName: string): AsicModel | undefined {
  return BY_KEY.get(normaliseModelName(idOrName));
}
