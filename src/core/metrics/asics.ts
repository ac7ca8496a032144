/**
 * Common SHA-256 ASICs with their manufacturer-published nameplate figures (stock mode, at the wall,
 * ±5-10 % by unit and temperature). Efficiency is power / hashrate rounded as the maker states it.
 * Newer models first within each maker. Figures are specs, not measurements: say so when shown.
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

const BITMAIN = 'Bitmain published spec (shop.bitmain.com product page)';
const MICROBT = 'MicroBT published spec (microbt.com product page)';
const CANAAN = 'Canaan published spec (canaan.io product page)';
const BITDEER = 'Bitdeer published spec (SEALMINER A2 launch, 2024)';

export const ASIC_MODELS: readonly AsicModel[] = Object.freeze([
  { id: 's21xphyd', name: 'Antminer S21 XP Hyd', hashrateThs: 473, powerW: 5676, efficiencyJPerTh: 12, source: `${BITMAIN}, 2024` },
  { id: 's21xp', name: 'Antminer S21 XP', hashrateThs: 270, powerW: 3645, efficiencyJPerTh: 13.5, source: `${BITMAIN}, 2024` },
  { id: 's21pro', name: 'Antminer S21 Pro', hashrateThs: 234, powerW: 3510, efficiencyJPerTh: 15, source: `${BITMAIN}, 2024` },
  { id: 's21+', name: 'Antminer S21+', hashrateThs: 216, powerW: 3564, efficiencyJPerTh: 16.5, source: `${BITMAIN}, 2024` },
  { id: 's21', name: 'Antminer S21', hashrateThs: 200, powerW: 3500, efficiencyJPerTh: 17.5, source: `${BITMAIN}, 2023` },
  { id: 't21', name: 'Antminer T21', hashrateThs: 190, powerW: 3610, efficiencyJPerTh: 19, source: `${BITMAIN}, 2023` },
  { id: 's19xp', name: 'Antminer S19 XP', hashrateThs: 140, powerW: 3010, efficiencyJPerTh: 21.5, source: `${BITMAIN}, 2022` },
  { id: 's19kpro', name: 'Antminer S19k Pro', hashrateThs: 120, powerW: 2760, efficiencyJPerTh: 23, source: `${BITMAIN}, 2023` },
  { id: 's19jpro', name: 'Antminer S19j Pro', hashrateThs: 104, powerW: 3068, efficiencyJPerTh: 29.5, source: `${BITMAIN}, 2021` },
  { id: 's19pro', name: 'Antminer S19 Pro', hashrateThs: 110, powerW: 3250, efficiencyJPerTh: 29.5, source: `${BITMAIN}, 2020` },
  { id: 's19', name: 'Antminer S19', hashrateThs: 95, powerW: 3250, efficiencyJPerTh: 34.2, source: `${BITMAIN}, 2020` },
  { id: 'm66s', name: 'Whatsminer M66S', hashrateThs: 298, powerW: 5513, efficiencyJPerTh: 18.5, source: `${MICROBT}, 2023` },
  { id: 'm60s', name: 'Whatsminer M60S', hashrateThs: 186, powerW: 3422, efficiencyJPerTh: 18.4, source: `${MICROBT}, 2023` },
  { id: 'm50s', name: 'Whatsminer M50S', hashrateThs: 126, powerW: 3276, efficiencyJPerTh: 26, source: `${MICROBT}, 2022` },
  { id: 'm30s++', name: 'Whatsminer M30S++', hashrateThs: 112, powerW: 3472, efficiencyJPerTh: 31, source: `${MICROBT}, 2020` },
  { id: 'a1566', name: 'Avalon A1566', hashrateThs: 185, powerW: 3420, efficiencyJPerTh: 18.5, source: `${CANAAN}, 2024` },
  { id: 'a1466', name: 'Avalon A1466', hashrateThs: 150, powerW: 3230, efficiencyJPerTh: 21.5, source: `${CANAAN}, 2023` },
  { id: 'a1366', name: 'Avalon A1366', hashrateThs: 130, powerW: 3250, efficiencyJPerTh: 25, source: `${CANAAN}, 2023` },
  { id: 'sealminera2', name: 'SealMiner A2', hashrateThs: 226, powerW: 3730, efficiencyJPerTh: 16.5, source: `${BITDEER}` },
]);

/** Maker and family words users may or may not type ("Bitmain Antminer S21" = "s21"). */
const BRAND_WORDS = /^(bitmain|microbt|canaan|bitdeer)?(antminer|whatsminer|avalonminer|avalon)?/;

/** Lowercase, without spaces, dashes, underscores or dots; "plus" → "+", "hydro" → "hyd". */
function normalise(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\s\-_.]+/g, '')
    .replace(/plus/g, '+')
    .replace(/hydro/g, 'hyd')
    .replace(BRAND_WORDS, '');
}

const BY_KEY = new Map<string, AsicModel>();
for (const m of ASIC_MODELS) {
  BY_KEY.set(normalise(m.id), m);
  BY_KEY.set(normalise(m.name), m);
}

/** A model by id or name, ignoring case, spaces, dashes and the maker's brand; undefined if unknown. */
export function findAsic(idOrName: string): AsicModel | undefined {
  return BY_KEY.get(normalise(idOrName));
}
