/**
 * Amounts in the asker's currency. Every conversion comes from one price body (mempool's /v1/prices,
 * or the fallback's): a figure computed in BTC is shown as BTC × the BTC price in that currency, and a
 * USD amount as USD × (price in the currency ÷ price in USD) from the same quote, so there is no
 * cross rate from another source or another moment.
 */
import { age, money, moneyPerKwh, type Currency } from '../core/format.ts';
import { UpstreamError, type Market, type Prices, type Sourced } from '../core/market.ts';

export interface Fx {
  /** The currency amounts are shown in (USD when the chosen one could not be had). */
  currency: Currency;
  /** Units of `currency` per USD from one quote; 1 for USD. */
  perUsd: number;
  /** The BTC price in `currency` from that quote; undefined for USD (commands hold the USD price). */
  btcPrice?: number;
  /** Shows an amount computed in USD in `currency`. */
  fromUsd(n: number): string;
  /** Shows a power price computed in USD per kWh in `currency`. */
  perKwhFromUsd(n: number, minDigits?: number): string;
  /** The rate, its source and its age (empty for USD), or why amounts stay in USD. */
  lines: string[];
}

function usdFx(lines: string[] = []): Fx {
  return { currency: 'USD', perUsd: 1, fromUsd: (n) => money(n, 'USD'), perKwhFromUsd: (n, d) => moneyPerKwh(n, 'USD', d), lines };
}

/** The conversion for `currency` out of one price body, or USD with the reason when it has no such rate. */
export function fxFrom(prices: Sourced<Prices>, currency: Currency, nowMs: number): Fx {
  if (currency === 'USD') return usdFx();
  const rate = prices.value.rates[currency];
  const usdRate = prices.value.rates.USD;
  if (rate === undefined || usdRate === undefined)
    return usdFx([`${prices.source} sent no ${currency} price right now, so amounts are in USD.`]);
  const perUsd = rate / usdRate;
  const stale = prices.stale ? ', stale' : '';
  return {
    currency,
    perUsd,
    btcPrice: rate,
    fromUsd: (n) => money(n * perUsd, currency),
    perKwhFromUsd: (n, d) => moneyPerKwh(n * perUsd, currency, d),
    lines: [
      `Amounts in ${currency} at 1 BTC = ${money(rate, currency)} (${prices.source}, fetched ${age(prices.fetchedAt, nowMs)}${stale}), the same quote as the USD price.`,
    ],
  };
}

/** The conversion for the asker's currency; a failed price source leaves amounts in USD, said so. */
export async function loadFx(market: Market, currency: Currency, nowMs: number): Promise<Fx> {
  if (currency === 'USD') return usdFx();
  try {
    return fxFrom(await market.prices(), currency, nowMs);
  } catch (err) {
    if (!(err instanceof UpstreamError)) throw err;
    return usdFx([`No ${currency} price right now (${err.message}), so amounts are in USD.`]);
  }
}
