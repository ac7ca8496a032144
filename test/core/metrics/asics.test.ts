import { describe, expect, it } from 'vitest';
import { ASIC_MODELS, findAsic } from '../../../src/core/metrics/index.ts';

describe('ASIC_MODELS', () => {
  it('holds 12 to 20 models with unique, lowercase, space-free ids', () => {
    expect(ASIC_MODELS.length).toBeGreaterThanOrEqual(12);
    expect(ASIC_MODELS.length).toBeLessThanOrEqual(20);
    const ids = ASIC_MODELS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9+]+$/);
  });

  it('states a source for every figure and positive numbers', () => {
    for (const m of ASIC_MODELS) {
      expect(m.source.length, m.id).toBeGreaterThan(10);
      expect(m.hashrateThs, m.id).toBeGreaterThan(0);
      expect(m.powerW, m.id).toBeGreaterThan(0);
    }
  });

  it('has efficiencies consistent with power / hashrate (within 1 %)', () => {
    for (const m of ASIC_MODELS) {
      const computed = m.powerW / m.hashrateThs;
      expect(Math.abs(computed / m.efficiencyJPerTh - 1), `${m.id}: ${computed.toFixed(2)} vs ${m.efficiencyJPerTh}`).toBeLessThan(0.01);
    }
  });

  it('matches the efficiencies in the design notes', () => {
    // S21 XP ≈ 13.5 J/TH, S21 ≈ 17.5, S19 XP ≈ 21.5, S19j Pro ≈ 29.5.
    expect(findAsic('s21xp')!.efficiencyJPerTh).toBe(13.5);
    expect(findAsic('s21')!.efficiencyJPerTh).toBe(17.5);
    expect(findAsic('s19xp')!.efficiencyJPerTh).toBe(21.5);
    expect(findAsic('s19jpro')!.efficiencyJPerTh).toBe(29.5);
  });

  it('keeps out models whose published figures could not be confirmed', () => {
    // M66S and SealMiner A2: the sources found disagreed or were missing, so no guessed figures.
    expect(findAsic('m66s')).toBeUndefined();
    expect(findAsic('SealMiner A2')).toBeUndefined();
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(ASIC_MODELS)).toBe(true);
  });
});

describe('findAsic', () => {
  it('finds a model by id or name regardless of case, spaces, dashes and brand', () => {
    for (const q of ['s19jpro', 'S19j Pro', 's19j-pro', 'S19J_PRO', 'Antminer S19j Pro', 'bitmain antminer s19j pro', '  s19j pro  ']) {
      expect(findAsic(q)?.id, q).toBe('s19jpro');
    }
    expect(findAsic('Whatsminer M60S')?.id).toBe('m60s');
    expect(findAsic('M30S++')?.id).toBe('m30s++');
    expect(findAsic('m30s plus plus')?.id).toBe('m30s++');
    expect(findAsic('S21 Plus')?.id).toBe('s21+');
    expect(findAsic('S21 XP Hydro')?.id).toBe('s21xphyd');
    expect(findAsic('Canaan Avalon A1466')?.id).toBe('a1466');
    expect(findAsic('Bitmain Antminer S19k Pro')?.id).toBe('s19kpro');
    expect(findAsic('Canaan Avalon A1566')?.id).toBe('a1566');
  });

  it('matches exactly, never by prefix', () => {
    expect(findAsic('s21')?.id).toBe('s21');
    expect(findAsic('s2')).toBeUndefined();
    expect(findAsic('s21 xp pro')).toBeUndefined();
  });

  it('returns undefined for unknown or empty names', () => {
    expect(findAsic('s9000')).toBeUndefined();
    expect(findAsic('')).toBeUndefined();
    expect(findAsic('antminer')).toBeUndefined();
  });

  it('finds every model by its own id and name', () => {
    for (const m of ASIC_MODELS) {
      expect(findAsic(m.id)).toBe(m);
      expect(findAsic(m.name)).toBe(m);
    }
  });
});
