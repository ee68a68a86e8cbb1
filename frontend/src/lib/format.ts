/**
 * Amounts are decimal strings from the API; they are displayed without ever becoming a
 * float (no 0.1 + 0.2 artefacts): grouping and padding are done on the digits.
 *
 * Times are shown in the user's time zone (the profile's `timezone`, set by the i18n
 * provider through `setTimeDisplay`; the browser's zone when signed out or unset) and in
 * the app's language, with Latin digits (as Arabic-language exchanges show numbers).
 */
export function formatAmount(value: string, minFraction = 2, maxFraction = 8): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return value;
  const [, sign = "", whole = "0", fraction = ""] = match;
  let frac = fraction.replace(/0+$/, "");
  if (frac.length > maxFraction) frac = frac.slice(0, maxFraction);
  frac = frac.padEnd(minFraction, "0");
  const grouped = whole.replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${grouped}${frac ? `.${frac}` : ""}`;
}

/** Whether `value` is a positive decimal with at most `scale` fraction digits. */
export function isPositiveDecimal(value: string, scale: number): boolean {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return false;
  const [, whole = "", fraction = ""] = match;
  if (fraction.length > scale) return false;
  return /[1-9]/.test(whole + fraction);
}

export interface TimeDisplay {
  /** an IANA zone (`Asia/Dubai`); undefined: the browser's */
  timeZone?: string | undefined;
  /** a BCP 47 locale; undefined: the browser's */
  locale?: string | undefined;
}

let defaults: TimeDisplay = {};

const zones = new Map<string, string | undefined>();

/** `zone` when the browser knows it (`Asia/Dubai`, `UTC`), else undefined (never throws). */
export function validTimeZone(zone: unknown): string | undefined {
  if (typeof zone !== "string" || !zone.trim()) return undefined;
  if (zones.has(zone)) return zones.get(zone);
  let known: string | undefined;
  try {
    known = new Intl.DateTimeFormat("en-US", { timeZone: zone.trim() }).resolvedOptions().timeZone;
  } catch {
    known = undefined;
  }
  zones.set(zone, known);
  return known;
}

/** The locale times are written in: Arabic with Latin digits, English as the browser says. */
export function timeLocale(language: string): string | undefined {
  return language === "ar" ? "ar-u-nu-latn" : undefined;
}

/**
 * The zone and locale every `formatTime` call uses by default (the i18n provider sets
 * them from the profile and the language, so pages need not pass them).
 */
export function setTimeDisplay(display: TimeDisplay): void {
  defaults = { timeZone: validTimeZone(display.timeZone), locale: display.locale };
}

export function getTimeDisplay(): TimeDisplay {
  return defaults;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(display: TimeDisplay, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const zone = validTimeZone(display.timeZone);
  const key = JSON.stringify([display.locale ?? "", zone ?? "", options]);
  let made = formatters.get(key);
  if (!made) {
    try {
      made = new Intl.DateTimeFormat(display.locale, { ...options, timeZone: zone });
    } catch {
      // an unknown locale: the browser's
      made = new Intl.DateTimeFormat(undefined, { ...options, timeZone: zone });
    }
    formatters.set(key, made);
  }
  return made;
}

function toDate(value: string | number): Date {
  return new Date(value);
}

/** Date and time (`2 Dec 2026, 14:05`) of an ISO string or epoch milliseconds. */
export function formatTime(value: string | number, display: TimeDisplay = defaults): string {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return formatter(display, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** The time of day with seconds, 24 h (`14:05:09`), for lists of very recent events. */
export function formatClock(value: string | number, display: TimeDisplay = defaults): string {
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return formatter(display, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(date);
}

/**
 * How far `zone` is ahead of UTC at `epochSeconds`, in seconds (Dubai: 14400, New York in
 * winter: -18000); 0 for an unknown zone. The chart library draws UTC: its bars are
 * shifted by this to show the zone's wall-clock time.
 */
export function zoneOffsetSeconds(zone: string | undefined, epochSeconds: number): number {
  const valid = validTimeZone(zone);
  if (!valid) return zone === undefined ? -new Date(epochSeconds * 1000).getTimezoneOffset() * 60 : 0;
  const parts = formatter({ locale: "en-US", timeZone: valid }, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(epochSeconds * 1000));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return Math.round(wall / 1000) - Math.floor(epochSeconds);
}
