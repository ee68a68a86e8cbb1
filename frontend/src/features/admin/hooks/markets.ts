/** Pure helpers of the markets and bot sections: symbols in paths, rates as percentages. */
import { compare, mul, normalize, toString, tryParse } from "../../../lib/decimal";

export type MarketStatus = "TRADING" | "HALTED" | "CANCEL_ONLY";

/** Admin paths take the slash-less symbol (`BTC/AED` → `BTCAED`): a segment cannot hold `/`. */
export function pathSymbol(symbol: string): string {
  return symbol.replace("/", "");
}

/** A fraction from the API as a percentage, exactly (`"0.001"` → `"0.1"`). */
export function fractionToPercent(fraction: string): string {
  const value = tryParse(fraction);
  return value ? toString(normalize(mul(value, "100"))) : fraction;
}

/**
 * A percentage typed by staff as the API's fraction (`"0.1"` → `"0.001"`), exactly; null
 * unless it is a decimal from 0 to `maxPercent` inclusive.
 */
export function percentToFraction(percent: string, maxPercent = "10"): string | null {
  const value = tryParse(percent);
  if (!value || value.units < 0n || compare(value, maxPercent) > 0) return null;
  return toString(normalize({ units: value.units, scale: value.scale + 2 }));
}
