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

/** Money in another currency, e.g. "€64,823" or "64,823 CHF". */
export function money(n: number, currency: string): string {
  if (currency === 'USD') return usd(n);
  const symbol: Record<string, string> = { EUR: '€', GBP: '£', JPY: '¥' };
  const body = n >= 1000 ? int(n) : fixed(n, 2);
  const s = symbol[currency];
  return s ? `${s}${body}` : `${body} ${currency}`;
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

export function difficulty(d: number): string {
  return `${fixed(d / 1e12, 2)} T`;
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

export function dateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function date(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
