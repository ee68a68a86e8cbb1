/**
 * Amounts are decimal strings from the API; they are displayed without ever becoming a
 * float (no 0.1 + 0.2 artefacts): grouping and padding are done on the digits.
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

export function formatTime(iso: string | number): string {
  const date = typeof iso === "number" ? new Date(iso) : new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
