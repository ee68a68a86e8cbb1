/**
 * The order form's rules, checked before anything is sent: a price on the tick, a
 * quantity on the lot and within min/max, the notional at least the market's minimum,
 * and enough free balance (a buy locks price × quantity plus the taker fee, as the
 * engine does). Pure and exact (decimal strings), so it is unit-tested on its own.
 */
import * as D from "../../../lib/decimal";
import type { components } from "../../../lib/api/schema";
import { translate, type MessageKey } from "../../../lib/i18n";

/** `useI18n().t`; English by default (tests, and anything outside the app). */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;
const english: Translate = (key, params) => translate("en", key, params);

export type OrderIn = components["schemas"]["trading_OrderIn"];

/** A market's rules as `/exchangeInfo` states them (plus the fee rates of `/markets`). */
export interface MarketRules {
  symbol: string; // BTCAED
  baseAsset: string;
  quoteAsset: string;
  basePrecision: number;
  quotePrecision: number;
  status: string;
  tickSize: string;
  minPrice: string;
  maxPrice: string; // "0": none
  stepSize: string;
  minQty: string;
  maxQty: string;
  minNotional: string;
  makerFee: string;
  takerFee: string;
  /** the price band as a fraction ("0.10"), "0": none (`/markets` `priceBand`) */
  priceBand: string;
}

export type Side = "BUY" | "SELL";
export type FormType = "LIMIT" | "MARKET" | "STOP_LIMIT";
export type TimeInForce = "GTC" | "IOC" | "FOK";
export type Field = "price" | "stopPrice" | "quantity" | "quoteOrderQty" | "form";

export interface OrderDraft {
  side: Side;
  type: FormType;
  timeInForce: TimeInForce;
  postOnly: boolean;
  price: string;
  stopPrice: string;
  quantity: string;
  quoteAmount: string;
  /** MARKET only: by base quantity or by quote amount */
  marketBy: "quantity" | "quote";
}

export interface FreeBalances {
  base: string;
  quote: string;
}

export interface Preview {
  /** quote amount of the order (price × quantity, or the quote amount) */
  total: string | null;
  /** the largest fee it can pay (taker rate), in the quote asset */
  fee: string | null;
}

export interface Checked {
  errors: Partial<Record<Field, string>>;
  preview: Preview;
  /** the body to send, when there is no error */
  order: OrderIn | null;
}

/** Quote assets that pay fees, the quote scale, rounded up (never shows too little). */
function quote(amount: D.Dec, rules: MarketRules): D.Dec {
  return D.rescale(amount, rules.quotePrecision, "up");
}

function checkPrice(value: string, which: "price" | "stopPrice", rules: MarketRules, t: Translate): string | null {
  const label = t(which === "price" ? "trade.check.label.price" : "trade.check.label.stopPrice");
  if (!value.trim()) return t("trade.check.enter", { label });
  const price = D.tryParse(value);
  if (!price || !D.isPositive(price)) return t("trade.check.positive", { label });
  if (!D.isMultiple(price, rules.tickSize)) {
    return t("trade.check.tick", { label, step: rules.tickSize, asset: rules.quoteAsset });
  }
  if (D.compare(price, rules.minPrice) < 0) return t("trade.check.minPrice", { label, min: rules.minPrice });
  if (D.isPositive(rules.maxPrice) && D.compare(price, rules.maxPrice) > 0) {
    return t("trade.check.maxPrice", { label, max: rules.maxPrice });
  }
  return null;
}

function checkQuantity(value: string, rules: MarketRules, t: Translate): string | null {
  if (!value.trim()) return t("trade.check.enterAmount");
  const qty = D.tryParse(value);
  if (!qty || !D.isPositive(qty)) return t("trade.check.amountPositive");
  if (!D.isMultiple(qty, rules.stepSize)) return t("trade.check.lot", { step: rules.stepSize, asset: rules.baseAsset });
  if (D.compare(qty, rules.minQty) < 0) return t("trade.check.minQty", { min: rules.minQty, asset: rules.baseAsset });
  if (D.compare(qty, rules.maxQty) > 0) return t("trade.check.maxQty", { max: rules.maxQty, asset: rules.baseAsset });
  return null;
}

function checkQuoteAmount(value: string, rules: MarketRules, t: Translate): string | null {
  if (!value.trim()) return t("trade.check.enterQuote", { asset: rules.quoteAsset });
  const amount = D.tryParse(value);
  if (!amount || !D.isPositive(amount)) return t("trade.check.amountPositive");
  if (D.normalize(amount).scale > rules.quotePrecision) {
    return t("trade.check.quoteDecimals", { decimals: rules.quotePrecision, asset: rules.quoteAsset });
  }
  return null;
}

function notionalTooSmall(total: D.Dec, rules: MarketRules, t: Translate): string | null {
  return D.compare(total, rules.minNotional) < 0
    ? t("trade.check.notional", { min: rules.minNotional, asset: rules.quoteAsset })
    : null;
}

/**
 * The engine refuses a limit price further than `priceBand × reference` from the band's
 * reference price (the last trade, else the market-data source's reference): the same
 * rule, exact, with the allowed range rounded inwards to the tick for the sentence.
 */
export function checkBand(price: string, rules: MarketRules, reference: string | null, t: Translate): string | null {
  if (!reference || !D.isPositive(rules.priceBand) || !D.isPositive(reference)) return null;
  const diff = D.sub(price, reference);
  const distance = D.isPositive(diff) ? diff : D.sub("0", diff);
  if (D.compare(distance, D.mul(rules.priceBand, reference)) <= 0) return null;
  const low = D.roundToStep(D.mul(reference, D.sub("1", rules.priceBand)), rules.tickSize, "up");
  const high = D.roundToStep(D.mul(reference, D.add("1", rules.priceBand)), rules.tickSize, "down");
  const scale = D.stepScale(rules.tickSize);
  return t("trade.check.band", { low: D.toFixed(low, scale), high: D.toFixed(high, scale), asset: rules.quoteAsset });
}

/**
 * Checks a draft against the market's rules and the free balances (null when signed
 * out: not checked). `marketPrice` (the best opposite price) estimates a market order
 * by quantity; `referencePrice` is the price band's reference (null: not checked).
 */
export function checkOrder(
  draft: OrderDraft,
  rules: MarketRules,
  balances: FreeBalances | null,
  marketPrice: string | null = null,
  t: Translate = english,
  referencePrice: string | null = null,
): Checked {
  const errors: Partial<Record<Field, string>> = {};
  const preview: Preview = { total: null, fee: null };
  const limitLike = draft.type !== "MARKET";
  const byQuote = draft.type === "MARKET" && draft.marketBy === "quote";

  if (limitLike) {
    const e = checkPrice(draft.price, "price", rules, t) ?? checkBand(draft.price, rules, referencePrice, t);
    if (e) errors.price = e;
  }
  if (draft.type === "STOP_LIMIT") {
    const e = checkPrice(draft.stopPrice, "stopPrice", rules, t);
    if (e) errors.stopPrice = e;
  }
  if (byQuote) {
    const e = checkQuoteAmount(draft.quoteAmount, rules, t);
    if (e) errors.quoteOrderQty = e;
  } else {
    const e = checkQuantity(draft.quantity, rules, t);
    if (e) errors.quantity = e;
  }

  // the worth of the order, where it can be known
  let total: D.Dec | null = null;
  if (byQuote && !errors.quoteOrderQty) total = D.parse(draft.quoteAmount);
  else if (!byQuote && !errors.quantity) {
    const price = limitLike ? (errors.price ? null : draft.price) : marketPrice;
    if (price) total = quote(D.mul(price, draft.quantity), rules);
  }
  if (total) {
    const fee = quote(D.mul(total, rules.takerFee), rules);
    preview.total = D.toString(total);
    preview.fee = D.toString(fee);
    const small = notionalTooSmall(total, rules, t);
    if (small) errors[byQuote ? "quoteOrderQty" : "quantity"] ??= small;
    if (balances) {
      // a buy by quote amount spends fees included; a limit buy locks total + fee
      const needed = draft.side === "BUY" ? (byQuote ? total : D.add(total, fee)) : null;
      if (needed && D.compare(needed, balances.quote) > 0) {
        errors.form ??= t("trade.check.noQuote", { asset: rules.quoteAsset, needed: D.toString(needed), free: balances.quote });
      }
    }
  }
  if (balances && draft.side === "SELL" && !byQuote && !errors.quantity) {
    if (D.compare(draft.quantity, balances.base) > 0) {
      errors.form ??= t("trade.check.noBase", { asset: rules.baseAsset, free: balances.base });
    }
  }
  if (rules.status !== "TRADING") errors.form = t("trade.check.notTrading", { status: rules.status });

  return { errors, preview, order: Object.keys(errors).length ? null : toOrder(draft, rules) };
}

/** The request body for a valid draft. */
export function toOrder(draft: OrderDraft, rules: MarketRules): OrderIn {
  const base = { symbol: rules.symbol, side: draft.side, selfTradePreventionMode: "EXPIRE_TAKER" as const };
  if (draft.type === "MARKET") {
    return draft.marketBy === "quote"
      ? { ...base, type: "MARKET", quoteOrderQty: draft.quoteAmount.trim() }
      : { ...base, type: "MARKET", quantity: draft.quantity.trim() };
  }
  const order: OrderIn = {
    ...base,
    type: draft.type === "LIMIT" && draft.postOnly ? "LIMIT_MAKER" : draft.type,
    price: draft.price.trim(),
    quantity: draft.quantity.trim(),
    timeInForce: draft.postOnly ? "GTC" : draft.timeInForce,
  };
  if (draft.type === "STOP_LIMIT") order.stopPrice = draft.stopPrice.trim();
  return order;
}

/**
 * What `percent` (0..100) of the free balance buys or sells: a quantity on the lot
 * (a buy keeps room for the taker fee), or a quote amount for a market order by quote.
 * Null when it cannot be known (no price yet for a buy by quantity).
 */
export function amountForPercent(
  percent: number,
  draft: OrderDraft,
  rules: MarketRules,
  balances: FreeBalances,
  marketPrice: string | null,
): { field: "quantity" | "quoteAmount"; value: string } | null {
  const share = D.rescale(String(Math.round(Math.min(100, Math.max(0, percent)))), 0);
  const part = (free: string, scale: number) => D.div(D.mul(free, share), "100", scale, "down");
  if (draft.type === "MARKET" && draft.marketBy === "quote") {
    return { field: "quoteAmount", value: D.toString(part(balances.quote, rules.quotePrecision)) };
  }
  const stepScale = D.stepScale(rules.stepSize);
  if (draft.side === "SELL") {
    const qty = D.roundToStep(part(balances.base, stepScale + 2), rules.stepSize, "down");
    return { field: "quantity", value: D.toFixed(qty, stepScale) };
  }
  const price = draft.type === "MARKET" ? marketPrice : draft.price;
  if (!price || !D.tryParse(price) || !D.isPositive(price)) return null;
  const spend = part(balances.quote, rules.quotePrecision);
  const perUnit = D.mul(price, D.add("1", rules.takerFee));
  const qty = D.roundToStep(D.div(spend, perUnit, stepScale + 2, "down"), rules.stepSize, "down");
  return { field: "quantity", value: D.toFixed(qty, stepScale) };
}

/** A market's rules from `/exchangeInfo`'s symbol entry and `/markets`' fee rates. */
export function rulesFrom(
  symbol: components["schemas"]["trading_SymbolOut"],
  fees: { makerFee: string; takerFee: string; priceBand?: string } | undefined,
): MarketRules {
  const filter = (type: string) => symbol.filters.find((f) => f.filterType === type);
  const price = filter("PRICE_FILTER");
  const lot = filter("LOT_SIZE");
  const notional = filter("MIN_NOTIONAL");
  return {
    symbol: symbol.symbol,
    baseAsset: symbol.baseAsset,
    quoteAsset: symbol.quoteAsset,
    basePrecision: symbol.baseAssetPrecision,
    quotePrecision: symbol.quoteAssetPrecision,
    status: symbol.status,
    tickSize: price?.tickSize ?? "0.01",
    minPrice: price?.minPrice ?? "0",
    maxPrice: price?.maxPrice ?? "0",
    stepSize: lot?.stepSize ?? "1",
    minQty: lot?.minQty ?? "0",
    maxQty: lot?.maxQty ?? "0",
    minNotional: notional?.minNotional ?? "0",
    makerFee: fees?.makerFee ?? "0",
    takerFee: fees?.takerFee ?? "0",
    priceBand: fees?.priceBand ?? "0",
  };
}
