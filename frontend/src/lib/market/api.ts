import { unwrap, type Api } from "../api/client";
import * as D from "../decimal";
import type { components } from "../api/schema";

export type Ticker = components["schemas"]["trading_Ticker24hOut"];
export type SymbolInfo = components["schemas"]["trading_SymbolOut"];
export type MarketInfo = components["schemas"]["trading_MarketOut"];

/** Public market data (no sign-in needed). */
export const marketsApi = {
  tickers: async (api: Api): Promise<Ticker[]> => {
    const data = await unwrap(api.GET("/api/trading/v1/ticker/24hr"));
    return Array.isArray(data) ? data : [data];
  },
  exchangeInfo: (api: Api) => unwrap(api.GET("/api/trading/v1/exchangeInfo")),
  markets: (api: Api) => unwrap(api.GET("/api/trading/v1/markets")),
  /** Every market's best bid/ask and the price band's `referencePrice`. */
  bookTickers: async (api: Api) => {
    const data = await unwrap(api.GET("/api/trading/v1/ticker/bookTicker"));
    return Array.isArray(data) ? data : [data];
  },
};

/** The 24hr ticker stream's short names (Binance's) as the REST ticker's fields. */
export function tickerFromStream(data: Record<string, unknown>, previous: Ticker | undefined): Ticker {
  const s = (key: string, fallback = "0") => (typeof data[key] === "string" ? data[key] : fallback);
  const n = (key: string, fallback = 0) => (typeof data[key] === "number" ? data[key] : fallback);
  return {
    ...(previous ?? ({} as Ticker)),
    symbol: s("s", previous?.symbol ?? ""),
    priceChange: s("p"),
    priceChangePercent: s("P"),
    weightedAvgPrice: s("w"),
    lastPrice: s("c"),
    lastQty: s("Q"),
    bidPrice: s("b"),
    bidQty: s("B"),
    askPrice: s("a"),
    askQty: s("A"),
    openPrice: s("o"),
    highPrice: s("h"),
    lowPrice: s("l"),
    volume: s("v"),
    quoteVolume: s("q"),
    openTime: n("O"),
    closeTime: n("C"),
    firstId: n("F", -1),
    lastId: n("L", -1),
    count: n("n"),
  };
}

/** A ticker's price for display: "—" where there is none (a price is never zero). */
export function tickerPrice(value: string | undefined): string {
  const parsed = value === undefined ? null : D.tryParse(value);
  return parsed && D.isPositive(parsed) ? D.format(parsed) : "—";
}
