export const DAY_SEC = 86_400;
/** The back-fill reaches this far back, and a 1-year chart needs no more. */
export const HISTORY_DAYS = 365;
