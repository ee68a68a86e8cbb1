/**
 * Exact decimal arithmetic on strings, for money and quantities: a value is a bigint of
 * units and a scale (digits after the point), so 0.1 + 0.2 is "0.3", never
 * 0.30000000000000004. Only what the trade page needs: parse, compare, add, subtract,
 * multiply, divide at a chosen scale, round to a step (tick or lot), format.
 *
 * Numbers from the API are decimal strings; nothing here ever becomes a JS float
 * (`toNumber` exists for display-only chart coordinates).
 */

export interface Dec {
  /** the value times 10^scale */
  readonly units: bigint;
  readonly scale: number;
}

const PATTERN = /^([+-])?(\d*)(?:\.(\d*))?$/;

/** A decimal string (`"12"`, `"-0.50"`, `".5"`) as a Dec; null when it is not one. */
export function tryParse(text: string): Dec | null {
  const match = PATTERN.exec(text.trim());
  if (!match) return null;
  const [, sign = "", whole = "", fraction = ""] = match;
  if (whole === "" && fraction === "") return null;
  const units = BigInt((whole || "0") + fraction);
  return { units: sign === "-" ? -units : units, scale: fraction.length };
}

export function parse(text: string): Dec {
  const value = tryParse(text);
  if (!value) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  return value;
}

export function isDecimal(text: string): boolean {
  return tryParse(text) !== null;
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** `value` with `scale` digits (only ever widens: use round* to narrow). */
function widen(value: Dec, scale: number): bigint {
  return value.units * pow10(scale - value.scale);
}

function align(a: Dec, b: Dec): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [widen(a, scale), widen(b, scale), scale];
}

type In = Dec | string;
const dec = (x: In): Dec => (typeof x === "string" ? parse(x) : x);

export function compare(a: In, b: In): -1 | 0 | 1 {
  const [x, y] = align(dec(a), dec(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

export function add(a: In, b: In): Dec {
  const [x, y, scale] = align(dec(a), dec(b));
  return { units: x + y, scale };
}

export function sub(a: In, b: In): Dec {
  const [x, y, scale] = align(dec(a), dec(b));
  return { units: x - y, scale };
}

export function mul(a: In, b: In): Dec {
  const x = dec(a);
  const y = dec(b);
  return { units: x.units * y.units, scale: x.scale + y.scale };
}

export function isZero(a: In): boolean {
  return dec(a).units === 0n;
}

export function isPositive(a: In): boolean {
  return dec(a).units > 0n;
}

export type Rounding = "down" | "up" | "half-up";

/** Integer division of bigints rounded as asked (toward zero for "down"). */
function divRound(n: bigint, d: bigint, mode: Rounding): bigint {
  if (d < 0n) return divRound(-n, -d, mode);
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const away = n < 0n ? q - 1n : q + 1n;
  if (mode === "down") return q;
  if (mode === "up") return away;
  return 2n * (r < 0n ? -r : r) >= d ? away : q;
}

/** `a / b` with `scale` digits. */
export function div(a: In, b: In, scale: number, mode: Rounding = "down"): Dec {
  const x = dec(a);
  const y = dec(b);
  if (y.units === 0n) throw new Error("division by zero");
  // a/b * 10^scale = x.units * 10^(scale + y.scale - x.scale) / y.units
  const shift = scale + y.scale - x.scale;
  const n = shift >= 0 ? x.units * pow10(shift) : x.units;
  const d = shift >= 0 ? y.units : y.units * pow10(-shift);
  return { units: divRound(n, d, mode), scale };
}

/** `a` at exactly `scale` digits. */
export function rescale(a: In, scale: number, mode: Rounding = "down"): Dec {
  const x = dec(a);
  if (scale >= x.scale) return { units: widen(x, scale), scale };
  return { units: divRound(x.units, pow10(x.scale - scale), mode), scale };
}

/** How many digits after the point `step` has ("0.010" → 2, "5" → 0). */
export function stepScale(step: In): number {
  const s = normalize(dec(step));
  return s.scale;
}

/** Drops trailing zero digits of the fraction. */
export function normalize(a: In): Dec {
  let { units, scale } = dec(a);
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

/** `a` rounded to a multiple of `step` (a tick or lot size), at the step's scale. */
export function roundToStep(a: In, step: In, mode: Rounding = "down"): Dec {
  const s = normalize(dec(step));
  if (s.units <= 0n) throw new Error("step must be positive");
  const [x, y, scale] = align(dec(a), s);
  const count = divRound(x, y, mode);
  return rescale({ units: count * y, scale }, s.scale);
}

/** Whether `a` is a whole multiple of `step`. */
export function isMultiple(a: In, step: In): boolean {
  const [x, y] = align(dec(a), dec(step));
  return y !== 0n && x % y === 0n;
}

export function min(a: In, b: In): Dec {
  return compare(a, b) <= 0 ? dec(a) : dec(b);
}

export function max(a: In, b: In): Dec {
  return compare(a, b) >= 0 ? dec(a) : dec(b);
}

/** The plain decimal string of `a`, with exactly its scale (`"1.50"` stays `"1.50"`). */
export function toString(a: In): string {
  const { units, scale } = dec(a);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** `a` at `scale` digits (rounded as asked) as a string: for totals and form values. */
export function toFixed(a: In, scale: number, mode: Rounding = "down"): string {
  return toString(rescale(a, scale, mode));
}

/** For display-only coordinates (chart axes): never for amounts. */
export function toNumber(a: In): number {
  return Number(toString(a));
}

/** Thousands separators on the whole part, `fractionDigits` digits (rounded down). */
export function format(a: In, fractionDigits?: number): string {
  const value = fractionDigits === undefined ? dec(a) : rescale(a, fractionDigits);
  const text = toString(value);
  const negative = text.startsWith("-");
  const [whole = "0", fraction] = (negative ? text.slice(1) : text).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "-" : ""}${grouped}${fraction !== undefined ? `.${fraction}` : ""}`;
}

export const ZERO: Dec = { units: 0n, scale: 0 };
