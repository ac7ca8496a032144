/** Wall-clock time in an IANA zone, via Intl (no time-zone tables of our own). */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The canonical zone name, or undefined when Intl does not know it. */
export function canonicalTimeZone(raw: string): string | undefined {
  const name = raw.trim();
  if (!name || name.length > 64) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Local date (YYYY-MM-DD) and minutes since local midnight at `ms` in `timeZone`. */
export function localClock(ms: number, timeZone: string): { date: string; minutes: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** "9:30", "09:30", "14" → "09:30" / "14:00"; undefined when it is not a time of day. */
export function parseTimeOfDay(raw: string): string | undefined {
  const m = /^([01]?\d|2[0-3])(?::([0-5]\d))?$/.exec(raw.trim());
  if (!m) return undefined;
  return `${m[1]!.padStart(2, '0')}:${m[2] ?? '00'}`;
}

export function minutesOf(time: string): number {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
}
