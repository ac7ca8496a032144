/**
 * A user's (or a chat's) choices for how replies read: currency, time zone, and the power price and
 * fleet efficiency /profit assumes. Resolved once per command from the store (see src/store/settings.ts)
 * and carried in the CommandContext, so a command never reads the store for them.
 */
import type { Currency } from './format.ts';

/**
 * A power price above these is a typo for any real site (2 per kWh is ~20× a typical industrial
 * tariff); yen are ~150 to the dollar, so their bound is in yen.
 */
export const MAX_POWER_PER_KWH: Record<Currency, number> = { USD: 2, EUR: 2, GBP: 2, CAD: 3, CHF: 2, AUD: 3, JPY: 300 };

interface PowerPrice {
  perKwh: number;
  /** The currency it was given in; converted with the live quote when a reply is in another. */
  currency: Currency;
}

/** What is stored for one user or one chat: only the fields that were set. */
export interface Settings {
  currency?: Currency;
  zone?: string;
  power?: PowerPrice;
  efficiencyJPerTh?: number;
}

type SettingName = keyof Settings;

/** Where a value in effect came from, so /settings can say why a reply reads as it does. */
export type SettingOrigin = 'user' | 'chat' | 'default';

export interface Prefs {
  currency: Currency;
  /** IANA zone every shown time uses. */
  zone: string;
  power?: PowerPrice;
  efficiencyJPerTh?: number;
  origin: Record<SettingName, SettingOrigin>;
}

export const DEFAULT_PREFS: Prefs = {
  currency: 'USD',
  zone: 'UTC',
  origin: { currency: 'default', zone: 'default', power: 'default', efficiencyJPerTh: 'default' },
};

/** Field by field: the user's setting, else the chat's, else the default (a what-if option beats all three, in the command). */
export function resolvePrefs(user: Settings = {}, chat: Settings = {}): Prefs {
  const origin = { ...DEFAULT_PREFS.origin };
  const pick = <K extends SettingName>(name: K): Settings[K] => {
    if (user[name] !== undefined) {
      origin[name] = 'user';
      return user[name];
    }
    if (chat[name] !== undefined) {
      origin[name] = 'chat';
      return chat[name];
    }
    return undefined;
  };
  const currency = pick('currency') ?? DEFAULT_PREFS.currency;
  const zone = pick('zone') ?? DEFAULT_PREFS.zone;
  const power = pick('power');
  const efficiencyJPerTh = pick('efficiencyJPerTh');
  return { currency, zone, ...(power ? { power } : {}), ...(efficiencyJPerTh !== undefined ? { efficiencyJPerTh } : {}), origin };
}
