import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, localClock, parseTimeOfDay } from '../../src/core/local-time.ts';

describe('local time', () => {
  it('reads wall-clock time in IANA zones, across DST', () => {
    expect(localClock(Date.UTC(2025, 6, 1, 12, 30), 'Europe/Berlin')).toEqual({ date: '2025-07-01', minutes: 14 * 60 + 30 });
    expect(localClock(Date.UTC(2025, 0, 1, 12, 30), 'Europe/Berlin')).toEqual({ date: '2025-01-01', minutes: 13 * 60 + 30 });
    expect(localClock(Date.UTC(2025, 0, 1, 2), 'America/New_York')).toEqual({ date: '2024-12-31', minutes: 21 * 60 });
    expect(canonicalTimeZone('europe/zurich')).toBe('Europe/Zurich');
    expect(canonicalTimeZone('Mars/Olympus')).toBeUndefined();
    expect(parseTimeOfDay('7:05')).toBe('07:05');
    expect(parseTimeOfDay('14')).toBe('14:00');
    expect(parseTimeOfDay('24:00')).toBeUndefined();
  });
});
