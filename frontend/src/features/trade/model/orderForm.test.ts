import { describe, expect, it } from "vitest";
import { amountForPercent, checkBand, checkOrder, type MarketRules, type OrderDraft } from "./orderForm";
import { translate } from "../../../lib/i18n";

const BTCAED: MarketRules = {
  symbol: "BTCAED",
  baseAsset: "BTC",
  quoteAsset: "AED",
  basePrecision: 8,
  quotePrecision: 2,
  status: "TRADING",
  tickSize: "0.01",
  minPrice: "0.01",
  maxPrice: "0",
  stepSize: "0.00001",
  minQty: "0.00001",
  maxQty: "1000.00000",
  minNotional: "10.00",
  makerFee: "0.001",
  takerFee: "0.001",
  priceBand: "0",
};

const draft = (over: Partial<OrderDraft> = {}): OrderDraft => ({
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  postOnly: false,
  price: "200000.00",
  stopPrice: "",
  quantity: "0.001",
  quoteAmount: "",
  marketBy: "quantity",
  ...over,
});

const rich = { base: "1", quote: "1000000" };

describe("checkOrder", () => {
  it("accepts a valid limit buy and previews total and fee", () => {
    const checked = checkOrder(draft(), BTCAED, rich);
    expect(checked.errors).toEqual({});
    expect(checked.preview).toEqual({ total: "200.00", fee: "0.20" });
    expect(checked.order).toEqual({
      symbol: "BTCAED",
      side: "BUY",
      type: "LIMIT",
      price: "200000.00",
      quantity: "0.001",
      timeInForce: "GTC",
      selfTradePreventionMode: "EXPIRE_TAKER",
    });
  });

  it("refuses a price off the tick and a quantity off the lot", () => {
    const checked = checkOrder(draft({ price: "200000.005", quantity: "0.000015" }), BTCAED, rich);
    expect(checked.errors.price).toBe("The price must be a multiple of 0.01 AED.");
    expect(checked.errors.quantity).toBe("The amount must be a multiple of 0.00001 BTC.");
    expect(checked.order).toBeNull();
  });

  it("refuses below the minimum notional and outside min/max quantity", () => {
    expect(checkOrder(draft({ price: "1000.00", quantity: "0.00500" }), BTCAED, rich).errors.quantity).toBe(
      "The order must be worth at least 10.00 AED.",
    );
    expect(checkOrder(draft({ quantity: "1000.00001" }), BTCAED, null).errors.quantity).toBe(
      "The amount must be at most 1000.00000 BTC.",
    );
    expect(checkOrder(draft({ quantity: "0" }), BTCAED, rich).errors.quantity).toBe(
      "The amount must be a number above zero.",
    );
    expect(checkOrder(draft({ price: "abc" }), BTCAED, rich).errors.price).toBe(
      "The price must be a number above zero.",
    );
  });

  it("checks the free balance, fee included for a buy", () => {
    // 200000 × 0.001 = 200 + 0.20 fee: 200.19 is not enough, 200.20 is
    expect(checkOrder(draft(), BTCAED, { base: "0", quote: "200.19" }).errors.form).toBe(
      "Not enough AED: this needs 200.20, you have 200.19 free.",
    );
    expect(checkOrder(draft(), BTCAED, { base: "0", quote: "200.20" }).errors).toEqual({});
    expect(checkOrder(draft({ side: "SELL", quantity: "0.5" }), BTCAED, { base: "0.49999", quote: "0" }).errors.form).toBe(
      "Not enough BTC: you have 0.49999 free.",
    );
  });

  it("builds market orders by quantity and by quote amount", () => {
    const byQuote = checkOrder(draft({ type: "MARKET", marketBy: "quote", quoteAmount: "250.50" }), BTCAED, rich);
    expect(byQuote.order).toEqual({
      symbol: "BTCAED",
      side: "BUY",
      type: "MARKET",
      quoteOrderQty: "250.50",
      selfTradePreventionMode: "EXPIRE_TAKER",
    });
    expect(
      checkOrder(draft({ type: "MARKET", marketBy: "quote", quoteAmount: "250.505" }), BTCAED, rich).errors.quoteOrderQty,
    ).toBe("Use at most 2 decimals for AED.");
    expect(checkOrder(draft({ type: "MARKET", marketBy: "quote", quoteAmount: "9.99" }), BTCAED, rich).errors.quoteOrderQty).toBe(
      "The order must be worth at least 10.00 AED.",
    );
    const byQty = checkOrder(draft({ type: "MARKET", side: "SELL", quantity: "0.01" }), BTCAED, rich, "199000.00");
    expect(byQty.preview.total).toBe("1990.00");
    expect(byQty.order).toMatchObject({ type: "MARKET", quantity: "0.01", side: "SELL" });
  });

  it("stop-limit needs a stop price on the tick; post-only is LIMIT_MAKER GTC", () => {
    expect(checkOrder(draft({ type: "STOP_LIMIT", stopPrice: "" }), BTCAED, rich).errors.stopPrice).toBe("Enter the stop price.");
    const stop = checkOrder(draft({ type: "STOP_LIMIT", stopPrice: "199000.10" }), BTCAED, rich);
    expect(stop.order).toMatchObject({ type: "STOP_LIMIT", stopPrice: "199000.10", price: "200000.00" });
    const post = checkOrder(draft({ postOnly: true, timeInForce: "IOC" }), BTCAED, rich);
    expect(post.order).toMatchObject({ type: "LIMIT_MAKER", timeInForce: "GTC" });
    expect(checkOrder(draft({ timeInForce: "FOK" }), BTCAED, rich).order).toMatchObject({ timeInForce: "FOK" });
  });

  it("refuses anything on a halted market", () => {
    expect(checkOrder(draft(), { ...BTCAED, status: "HALTED" }, rich).errors.form).toBe(
      "This market is not trading now (HALTED).",
    );
  });
});

describe("amountForPercent", () => {
  it("sells a share of the base balance, down to the lot", () => {
    expect(amountForPercent(25, draft({ side: "SELL" }), BTCAED, { base: "0.123456", quote: "0" }, null)).toEqual({
      field: "quantity",
      value: "0.03086",
    });
  });

  it("buys what a share of the quote balance pays, fee included", () => {
    // 50 % of 1000 = 500 AED at 200000 × 1.001 → 0.0024975… → 0.00249
    expect(amountForPercent(50, draft(), BTCAED, { base: "0", quote: "1000" }, null)).toEqual({
      field: "quantity",
      value: "0.00249",
    });
    expect(amountForPercent(100, draft({ price: "" }), BTCAED, { base: "0", quote: "1000" }, null)).toBeNull();
  });

  it("a market buy by quote amount takes the share at the quote scale", () => {
    expect(
      amountForPercent(33, draft({ type: "MARKET", marketBy: "quote" }), BTCAED, { base: "0", quote: "100.01" }, null),
    ).toEqual({ field: "quoteAmount", value: "33.00" });
  });
});

describe("the price band (refused before sending, as the engine would)", () => {
  const banded = { ...BTCAED, priceBand: "0.10" };
  const en = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) => translate("en", key, params);
  const ar = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) => translate("ar", key, params);

  it("takes prices within band × reference of the reference, edges included", () => {
    // reference 200000.00, band 10 %: 180000.00 … 220000.00
    for (const price of ["180000.00", "200000.00", "220000.00"]) {
      expect(checkOrder(draft({ price }), banded, null, null, en, "200000.00").errors.price, price).toBeUndefined();
    }
  });

  it("refuses a price outside it beside the price, naming the range (rounded inwards to the tick)", () => {
    const low = checkOrder(draft({ price: "179999.99" }), banded, null, null, en, "200000.00");
    expect(low.errors.price).toBe("The price must be between 180000.00 and 220000.00 AED (the market's price band).");
    expect(low.order).toBeNull();
    expect(checkOrder(draft({ price: "220000.01" }), banded, null, null, en, "200000.00").errors.price).toBeDefined();
    // 10 % of 123456.78 = 12345.678: 111111.102 → up to 111111.11, 135802.458 → down to 135802.45
    expect(checkBand("1.00", banded, "123456.78", en)).toBe(
      "The price must be between 111111.11 and 135802.45 AED (the market's price band).",
    );
    expect(checkBand("1.00", banded, "123456.78", ar)).toBe("يجب أن يكون السعر بين 111111.11 و135802.45 AED (النطاق السعري للسوق).");
  });

  it("applies to a stop-limit's limit price, not to a market order", () => {
    const stop = draft({ type: "STOP_LIMIT", stopPrice: "199000.00", price: "250000.00" });
    expect(checkOrder(stop, banded, null, null, en, "200000.00").errors.price).toBeDefined();
    const market = draft({ type: "MARKET", price: "", quantity: "0.001" });
    expect(checkOrder(market, banded, null, "250000.00", en, "200000.00").errors.price).toBeUndefined();
  });

  it("is not checked without a band or a reference", () => {
    expect(checkOrder(draft({ price: "1.00" }), BTCAED, null, null, en, "200000.00").errors.price).toBeUndefined();
    expect(checkOrder(draft({ price: "1.00" }), banded, null, null, en, null).errors.price).toBeUndefined();
  });
});
