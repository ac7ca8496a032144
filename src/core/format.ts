/** How numbers read in replies. One place, so every platform shows the same figure the same way. */

const MINUS = '−';

/**
 * One formatter per digit count, made once: toLocaleString with options builds a new
 * Intl.NumberFormat on every call, which dominated the CPU profile of a burst of replies.
 */
const formatters = new Map<number, Intl.NumberFormat>();

function fixed(n: number, digits: number): string {
  let f = formatters.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
    formatters.set(digits, f);
  }
  return f.format(n);
}

const integer = new Intl.NumberFormat('en-US');

export function int(n: number): string {
  return integer.format(Math.round(n));
}

/**
 * The smallest amount shown as a number. Below it a figure reads "< $0.0001": printing 5e-324 as
 * "$0.0000" says zero, and as "$5e-324" says nothing a reader can use.
 */
const USD_FLOOR = 0.0001;

/** What a value that is not a number (a failed computation) shows instead of "NaN". */
const UNAVAILABLE = 'n/a';

/** "< $0.0001" for a tiny positive amount, "> −$0.0001" for a tiny negative one. */
function belowFloor(n: number, unit = ''): string {
  return n > 0 ? `< $${USD_FLOOR}${unit}` : `> ${MINUS}$${USD_FLOOR}${unit}`;
}

/** Dollars with cents below 1,000 (hashprice lives there), whole dollars above, B/T for huge sums. */
export function usd(n: number): string {
  if (!Number.isFinite(n)) return UNAVAILABLE;
  if (n !== 0 && Math.abs(n) < USD_FLOOR) return belowFloor(n);
  const sign = n < 0 ? MINUS : '';
  const a = Math.abs(n);
  if (a >= 1e12) return `${sign}$${fixed(a / 1e12, 2)}T`;
  if (a >= 1e9) return `${sign}$${fixed(a / 1e9, 2)}B`;
  if (a >= 1e6) return `${sign}$${fixed(a / 1e6, 2)}M`;
  if (a >= 1000) return `${sign}$${int(a)}`;
  if (a >= 1) return `${sign}$${fixed(a, 2)}`;
  return `${sign}$${fixed(a, 4)}`;
}

/**
 * A power price, "$0.06/kWh": as many decimals as it has, up to 4 (at least `minDigits`), never
 * exponent notation; tiny values read "< $0.0001/kWh".
 */
export function usdPerKwh(n: number, minDigits = 2): string {
  if (!Number.isFinite(n)) return UNAVAILABLE;
  if (n !== 0 && Math.abs(n) < USD_FLOOR) return belowFloor(n, '/kWh');
  const body = Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: minDigits, maximumFractionDigits: Math.max(4, minDigits) });
  return `${n < 0 ? MINUS : ''}$${body}/kWh`;
}

/** The currencies a reply can be in: the ones mempool.space's /api/v1/prices quotes (and the fallback is cut to). */
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'CHF', 'AUD', 'JPY'] as const;
export type Currency = (typeof CURRENCIES)[number];

export function isCurrency(code: string): code is Currency {
  return (CURRENCIES as readonly string[]).includes(code);
}

/** Yen have no minor unit in use: a yen amount is whole, and below ¥1 it reads "< ¥1". */
const WHOLE_UNITS: ReadonlySet<string> = new Set(['JPY']);

const currencyFormats = new Map<string, Intl.NumberFormat>();
/** "€64,823.00", "CA$1.50", "CHF 12.00", "¥6": Intl's en-US symbols, unambiguous for every quoted currency. */
function currencyBody(a: number, currency: string, digits: number): string {
  const key = `${currency}:${digits}`;
  let f = currencyFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      currencyDisplay: 'symbol',
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    currencyFormats.set(key, f);
  }
  // A plain space instead of Intl's no-break space, so "CHF 12.00" reads the same on every surface.
  return f.format(a).replace(/\u00a0/g, ' ');
}

/**
 * Money in any quoted currency, with the same tiers as usd() (cents below 1,000, whole units above,
 * M/B/T for huge sums, 4 decimals below 1, "< €0.0001" instead of a false zero). USD is exactly usd().
 */
export function money(n: number, currency: string): string {
  if (currency === 'USD') return usd(n);
  if (!Number.isFinite(n)) return UNAVAILABLE;
  const whole = WHOLE_UNITS.has(currency);
  const floor = whole ? 1 : USD_FLOOR;
  if (n !== 0 && Math.abs(n) < floor) {
    const shown = currencyBody(floor, currency, whole ? 0 : 4);
    return n > 0 ? `< ${shown}` : `> ${MINUS}${shown}`;
  }
  const sign = n < 0 ? MINUS : '';
  const a = Math.abs(n);
  const small = whole ? 0 : 2;
  if (a >= 1e12) return `${sign}${currencyBody(a / 1e12, currency, 2)}T`;
  if (a >= 1e9) return `${sign}${currencyBody(a / 1e9, currency, 2)}B`;
  if (a >= 1e6) return `${sign}${currencyBody(a / 1e6, currency, 2)}M`;
  if (a >= 1000) return `${sign}${currencyBody(a, currency, 0)}`;
  if (a >= 1 || whole) return `${sign}${currencyBody(a, currency, small)}`;
  return `${sign}${currencyBody(a, currency, 4)}`;
}

/** A power price in any quoted currency, "€0.055/kWh"; USD is exactly usdPerKwh(). */
export function moneyPerKwh(n: number, currency: string, minDigits = 2): string {
  if (currency === 'USD') return usdPerKwh(n, minDigits);
  if (!Number.isFinite(n)) return UNAVAILABLE;
  if (n !== 0 && Math.abs(n) < USD_FLOOR) {
    const shown = `${currencyBody(USD_FLOOR, currency, 4)}/kWh`;
    return n > 0 ? `< ${shown}` : `> ${MINUS}${shown}`;
  }
  const a = Math.abs(n);
  // As many decimals as the price has, up to 4; yen tariffs (~¥30/kWh) are quoted to 2 at most.
  const most = WHOLE_UNITS.has(currency) ? 2 : 4;
  const least = WHOLE_UNITS.has(currency) ? 0 : minDigits;
  const digits = Math.min(most, Math.max(least, (String(Number(a.toFixed(most))).split('.')[1] ?? '').length));
  return `${n < 0 ? MINUS : ''}${currencyBody(a, currency, digits)}/kWh`;
}

export function btc(n: number, digits = 8): string {
  return `${fixed(n, digits)} BTC`;
}

/** Signed percent with a real minus sign: "+5.91 %", "−0.98 %". */
export function pctChange(n: number, digits = 2): string {
  if (Number(n.toFixed(digits)) === 0) return `${fixed(0, digits)} %`;
  return `${n > 0 ? '+' : MINUS}${fixed(Math.abs(n), digits)} %`;
}

export function pct(n: number, digits = 1): string {
  return `${fixed(n, digits)} %`;
}

export function hashrate(hs: number): string {
  if (hs >= 1e18) return `${fixed(hs / 1e18, 1)} EH/s`;
  if (hs >= 1e15) return `${fixed(hs / 1e15, 1)} PH/s`;
  return `${fixed(hs / 1e12, 1)} TH/s`;
}

/** In T as miners quote it; a what-if below 0.01 T (only ever typed, never mined since 2013) in plain digits, not "0.00 T". */
export function difficulty(d: number): string {
  return d < 1e10 ? int(d) : `${fixed(d / 1e12, 2)} T`;
}

export function duration(ms: number): string {
  const min = Math.round(Math.abs(ms) / 60_000);
  if (min < 1) return 'under a minute';
  if (min < 60) return `${min} min`;
  const h = Math.round(min / 6) / 10;
  if (h < 48) return `${fixed(h, h < 10 ? 1 : 0)} h`;
  return `${fixed(Math.round(h / 2.4) / 10, 1)} days`;
}

export function age(thenMs: number, nowMs: number): string {
  const d = nowMs - thenMs;
  if (d < 60_000 && d > -60_000) return 'just now';
  return d >= 0 ? `${duration(d)} ago` : `in ${duration(d)}`;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneParts(ms: number, timeZone: string): Record<string, string> {
  let f = zoneFormats.get(timeZone);
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
    zoneFormats.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

/**
 * "2025-04-06 00:47 UTC", or in a user's zone "2025-04-06 02:47 Europe/Berlin": the zone's name, not
 * an abbreviation, because Intl's en-US short names for most zones are only "GMT+2".
 */
export function dateTime(ms: number, timeZone = 'UTC'): string {
  if (timeZone === 'UTC') return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const p = zoneParts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${timeZone}`;
}

/** The calendar date at `ms`, in UTC unless a zone is given (an ETA's day depends on where you are). */
export function date(ms: number, timeZone = 'UTC'): string {
  if (timeZone === 'UTC') return new Date(ms).toISOString().slice(0, 10);
  const p = zoneParts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}
