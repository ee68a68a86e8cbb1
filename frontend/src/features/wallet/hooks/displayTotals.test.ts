import { describe, expect, it } from "vitest";
import * as D from "../../../lib/decimal";
import { conversionRate, tickerValuationPrice, walletTotals, type MarketPrice } from "./displayTotals";
import type { BalanceRow } from "./useBalances";

const row = (asset: string, fundingAvailable = "0", spotFree = "0", fundingHeld = "0", spotLocked = "0"): BalanceRow => ({
  asset,
  fundingAvailable,
  fundingHeld,
  spotFree,
  spotLocked,
});
const market = (base: string, quote: string, price: string): MarketPrice => ({ base, quote, price, source: "mid" });

const PRICES = [market("BTC", "AED", "250000.05"), market("USDT", "AED", "3.6725"), market("SOL", "USDT", "150.1")];

describe("tickerValuationPrice", () => {
  it("takes the mid of bid and ask, exactly", () => {
    expect(tickerValuationPrice({ bidPrice: "0.1", askPrice: "0.2", lastPrice: "9" })).toEqual({ price: "0.15", source: "mid" });
    expect(tickerValuationPrice({ bidPrice: "100.01", askPrice: "100.02", lastPrice: "9" })).toEqual({
      price: "100.015",
      source: "mid",
    });
  });

  it("falls back to the last price when a side is empty, and to nothing without one", () => {
    expect(tickerValuationPrice({ bidPrice: "0", askPrice: "5", lastPrice: "4.5" })).toEqual({ price: "4.5", source: "last" });
    expect(tickerValuationPrice({ bidPrice: "0", askPrice: "0", lastPrice: "0" })).toBeNull();
  });
});

describe("conversionRate", () => {
  it("is 1 for the display currency itself, the price for a direct market", () => {
    expect(D.toString(conversionRate(PRICES, "AED", "AED")?.rate ?? D.ZERO)).toBe("1");
    expect(D.toString(conversionRate(PRICES, "BTC", "AED")?.rate ?? D.ZERO)).toBe("250000.05");
  });

  it("goes through an intermediate asset (SOL → USDT → AED) and says which markets it used", () => {
    const conversion = conversionRate(PRICES, "SOL", "AED");
    expect(D.toString(conversion?.rate ?? D.ZERO)).toBe("551.24225");
    expect(conversion?.used.map((m) => `${m.base}/${m.quote}`)).toEqual(["SOL/USDT", "USDT/AED"]);
  });

  it("inverts a market quoted the other way round", () => {
    const conversion = conversionRate([market("USDT", "AED", "4")], "AED", "USDT");
    expect(D.format(conversion?.rate ?? D.ZERO, 2)).toBe("0.25");
  });

  it("has no rate for an asset without a price path", () => {
    expect(conversionRate(PRICES, "DOGE", "AED")).toBeNull();
    expect(conversionRate(PRICES, "BTC", "EUR")).toBeNull();
  });
});

describe("walletTotals", () => {
  it("values each wallet in the display currency with no floating-point artefacts", () => {
    const totals = walletTotals(
      [row("AED", "0.1", "0.2"), row("BTC", "0.001", "0.002", "0", "0.0005"), row("USDT", "10")],
      PRICES,
      "AED",
    );
    // funding: 0.1 + 0.001 × 250000.05 + 10 × 3.6725 = 0.1 + 250.00005 + 36.725
    expect(D.toString(D.normalize(totals.funding))).toBe("286.82505");
    // spot: 0.2 + 0.0025 × 250000.05
    expect(D.toString(D.normalize(totals.spot))).toBe("625.200125");
    expect(D.toString(D.normalize(totals.all))).toBe("912.025175");
    expect(totals.unpriced).toEqual([]);
    expect(totals.used.map((m) => `${m.base}/${m.quote}`)).toEqual(["BTC/AED", "USDT/AED"]);
  });

  it("leaves an unpriced asset out of the totals and names it", () => {
    const totals = walletTotals([row("AED", "100"), row("DOGE", "5000"), row("XRP")], PRICES, "AED");
    expect(D.toString(D.normalize(totals.all))).toBe("100");
    expect(totals.unpriced).toEqual(["DOGE"]); // an empty XRP row is not worth a warning
    expect(totals.values.map((v) => v.asset)).toEqual(["AED"]);
  });

  it("with a display currency no market reaches, counts only that currency itself", () => {
    const totals = walletTotals([row("AED", "100"), row("BTC", "1")], PRICES, "EUR");
    expect(D.isZero(totals.all)).toBe(true);
    expect(totals.unpriced).toEqual(["AED", "BTC"]);
  });

  it("the overall total is always the funding total plus the spot total", () => {
    const rows = [row("AED", "12.34", "5.66", "1"), row("BTC", "0.12345678", "0.00000001"), row("SOL", "3", "0.5")];
    for (const currency of ["AED", "USDT", "BTC"]) {
      const totals = walletTotals(rows, PRICES, currency);
      expect(D.compare(totals.all, D.add(totals.funding, totals.spot))).toBe(0);
      const perAsset = totals.values.reduce<D.Dec>((sum, v) => D.add(sum, v.total), D.ZERO);
      expect(D.compare(totals.all, perAsset)).toBe(0);
    }
  });
});

describe("walletTotals on generated wallets (seeded, so a failure repeats)", () => {
  let seed = 0x2545f491;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const amount = (): string => `${next(100000)}.${String(next(100000000)).padStart(8, "0")}`;

  it("sums exactly: total = funding + spot = Σ assets, and every non-empty asset is valued or named", () => {
    const assets = ["AED", "BTC", "ETH", "USDT", "SOL", "DOGE"];
    for (let round = 0; round < 200; round += 1) {
      const prices = [
        market("BTC", "AED", `${1 + next(400000)}.${next(100)}`),
        market("ETH", "USDT", `${1 + next(5000)}.${next(10)}`),
        market("USDT", "AED", `3.${6000 + next(1000)}`),
        market("SOL", "USDT", `${1 + next(300)}`),
      ];
      const rows = assets.filter(() => next(3) > 0).map((a) => row(a, amount(), amount(), amount(), amount()));
      const totals = walletTotals(rows, prices, ["AED", "USDT"][next(2)] ?? "AED");
      expect(D.compare(totals.all, D.add(totals.funding, totals.spot))).toBe(0);
      expect(D.compare(totals.all, totals.values.reduce<D.Dec>((s, v) => D.add(s, v.total), D.ZERO))).toBe(0);
      const named = new Set([...totals.values.map((v) => v.asset), ...totals.unpriced]);
      for (const r of rows) expect(named.has(r.asset)).toBe(true);
      expect(totals.unpriced.every((a) => a === "DOGE")).toBe(true);
    }
  });
});
