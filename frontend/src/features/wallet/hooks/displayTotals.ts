/**
 * Wallet balances valued in the user's display currency, with exact decimals (no floats).
 *
 * A market's price is the mid of its best bid and ask when both are quoted, else its last
 * trade price. An asset converts through a market against the display currency (either
 * side of it: BTC/AED, or AED/XYZ inverted), or through one intermediate asset (XYZ/USDT
 * then USDT/AED). An asset with no such path has no value: it is listed apart and left out
 * of the totals, so a total never pretends to count what it cannot price.
 */
import * as D from "../../../lib/decimal";
import type { BalanceRow } from "./useBalances";

export interface MarketPrice {
  base: string;
  quote: string;
  /** a decimal string, > 0 */
  price: string;
  /** how the price was taken, for the "which prices" line */
  source: "mid" | "last";
}

export interface AssetValue {
  asset: string;
  funding: D.Dec;
  spot: D.Dec;
  total: D.Dec;
}

export interface WalletTotals {
  currency: string;
  funding: D.Dec;
  spot: D.Dec;
  all: D.Dec;
  values: AssetValue[];
  /** assets with a balance but no price path: not in the totals */
  unpriced: string[];
  /** the markets whose prices were used, e.g. `{ base: "BTC", quote: "AED", … }` */
  used: MarketPrice[];
}

/** Digits kept for an inverted price (1 / price) before it is multiplied out. */
const INVERSE_SCALE = 18;

/** A ticker's price for valuation: mid of bid and ask if both are positive, else the last price. */
export function tickerValuationPrice(t: { bidPrice: string; askPrice: string; lastPrice: string }): {
  price: string;
  source: "mid" | "last";
} | null {
  const bid = D.tryParse(t.bidPrice);
  const ask = D.tryParse(t.askPrice);
  if (bid && ask && D.isPositive(bid) && D.isPositive(ask)) {
    return { price: D.toString(D.div(D.add(bid, ask), "2", Math.max(bid.scale, ask.scale) + 1)), source: "mid" };
  }
  const last = D.tryParse(t.lastPrice);
  return last && D.isPositive(last) ? { price: D.toString(last), source: "last" } : null;
}

interface Step {
  rate: D.Dec;
  market: MarketPrice;
}

/** One hop from `from` to `to` through a market of the pair, in either direction. */
function hop(prices: readonly MarketPrice[], from: string, to: string): Step | null {
  for (const market of prices) {
    if (!D.isPositive(market.price)) continue;
    if (market.base === from && market.quote === to) return { rate: D.parse(market.price), market };
    if (market.base === to && market.quote === from) return { rate: D.div("1", market.price, INVERSE_SCALE), market };
  }
  return null;
}

/** The rate of one `asset` in `currency` and the markets it took; null when there is no path. */
export function conversionRate(
  prices: readonly MarketPrice[],
  asset: string,
  currency: string,
): { rate: D.Dec; used: MarketPrice[] } | null {
  if (asset === currency) return { rate: D.parse("1"), used: [] };
  const direct = hop(prices, asset, currency);
  if (direct) return { rate: direct.rate, used: [direct.market] };
  const middles = new Set(prices.flatMap((p) => [p.base, p.quote]));
  for (const middle of [...middles].sort((a, b) => (a === "USDT" ? -1 : b === "USDT" ? 1 : a.localeCompare(b)))) {
    if (middle === asset || middle === currency) continue;
    const first = hop(prices, asset, middle);
    const second = first ? hop(prices, middle, currency) : null;
    if (first && second) return { rate: D.mul(first.rate, second.rate), used: [first.market, second.market] };
  }
  return null;
}

/** Each wallet's balances and their sum in `currency` (exact; round only when displaying). */
export function walletTotals(rows: readonly BalanceRow[], prices: readonly MarketPrice[], currency: string): WalletTotals {
  let funding: D.Dec = D.ZERO;
  let spot: D.Dec = D.ZERO;
  const values: AssetValue[] = [];
  const unpriced: string[] = [];
  const used = new Map<string, MarketPrice>();
  for (const row of rows) {
    const inFunding = D.add(row.fundingAvailable, row.fundingHeld);
    const inSpot = D.add(row.spotFree, row.spotLocked);
    const conversion = conversionRate(prices, row.asset, currency);
    if (!conversion) {
      if (!D.isZero(D.add(inFunding, inSpot))) unpriced.push(row.asset);
      continue;
    }
    const value = { funding: D.mul(inFunding, conversion.rate), spot: D.mul(inSpot, conversion.rate) };
    values.push({ asset: row.asset, ...value, total: D.add(value.funding, value.spot) });
    funding = D.add(funding, value.funding);
    spot = D.add(spot, value.spot);
    if (!D.isZero(D.add(inFunding, inSpot))) {
      for (const m of conversion.used) used.set(`${m.base}/${m.quote}`, m);
    }
  }
  return { currency, funding, spot, all: D.add(funding, spot), values, unpriced, used: [...used.values()] };
}
