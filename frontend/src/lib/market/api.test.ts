import { describe, expect, it } from "vitest";
import { tickerFromStream, tickerPrice } from "./api";

describe("market tickers", () => {
  it("shows a dash for a market that never traded", () => {
    expect(tickerPrice("0.00")).toBe("—");
    expect(tickerPrice(undefined)).toBe("—");
    expect(tickerPrice("349689.76")).toBe("349,689.76");
  });

  it("reads the 24hr ticker stream's short names", () => {
    const row = tickerFromStream(
      { e: "24hrTicker", s: "BTCAED", c: "200100.00", P: "0.050", p: "100.00", h: "200200.00", l: "199000.00", v: "0.15000", n: 2, L: 2 },
      undefined,
    );
    expect(row).toMatchObject({
      symbol: "BTCAED",
      lastPrice: "200100.00",
      priceChangePercent: "0.050",
      priceChange: "100.00",
      highPrice: "200200.00",
      lowPrice: "199000.00",
      volume: "0.15000",
      count: 2,
      lastId: 2,
    });
  });
});
