import { idempotencyKey, unwrap, type Api } from "../../../lib/api/client";
import type { components } from "../../../lib/api/schema";
import type { DepthSnapshot, Level } from "../../../lib/book";
import type { OrderIn } from "../model/orderForm";

export type Order = components["schemas"]["trading_OrderOut"];
export type MyTrade = components["schemas"]["trading_TradeOut"];

export interface PublicTrade {
  id: number;
  price: string;
  qty: string;
  time: number;
  isBuyerMaker: boolean;
}

/** A candle as the chart wants it: numbers are display-only coordinates. */
export interface Candle {
  time: number; // open time, seconds
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

type KlineRow = (string | number)[];

/** Rows per page of the user's order and trade history ("Load more" fetches the next). */
export const HISTORY_PAGE = 20;

export const INTERVALS = ["1m", "5m", "15m", "1h", "4h", "1d"] as const;
export type Interval = (typeof INTERVALS)[number];

export function candleFromRow(row: KlineRow): Candle {
  const num = (i: number) => Number(row[i]);
  return { time: Math.floor(num(0) / 1000), open: num(1), high: num(2), low: num(3), close: num(4), volume: num(5) };
}

export const tradeApi = {
  depth: async (api: Api, symbol: string): Promise<DepthSnapshot> => {
    const data = await unwrap(api.GET("/api/trading/v1/depth", { params: { query: { symbol, limit: 1000 } } }));
    return { lastUpdateId: data.lastUpdateId, bids: data.bids as unknown as Level[], asks: data.asks as unknown as Level[] };
  },
  trades: async (api: Api, symbol: string): Promise<PublicTrade[]> =>
    (await unwrap(api.GET("/api/trading/v1/trades", { params: { query: { symbol, limit: 50 } } }))),
  klines: async (api: Api, symbol: string, interval: Interval): Promise<Candle[]> => {
    const rows = await unwrap(
      api.GET("/api/trading/v1/klines", { params: { query: { symbol, interval, limit: 500 } } }),
    );
    return (rows as unknown as KlineRow[]).map(candleFromRow);
  },
  /**
   * The price band's reference price (bookTicker's `referencePrice`: the last trade, else
   * the source's reference); null when the market has no band or nothing to measure from.
   */
  referencePrice: async (api: Api, symbol: string): Promise<string | null> => {
    const data = await unwrap(api.GET("/api/trading/v1/ticker/bookTicker", { params: { query: { symbol } } }));
    const row = Array.isArray(data) ? data[0] : data;
    return row?.referencePrice ?? null;
  },
  balances: (api: Api) => unwrap(api.GET("/api/trading/v1/balances")),
  feeTier: (api: Api) => unwrap(api.GET("/api/trading/v1/fee-tier")),
  openOrders: (api: Api, symbol: string) =>
    unwrap(api.GET("/api/trading/v1/open-orders", { params: { query: { symbol } } })),
  /** One page of the user's orders, newest first; `cursor` is the previous page's `nextCursor`. */
  orderHistory: (api: Api, symbol: string, cursor: string | null = null) =>
    unwrap(
      api.GET("/api/trading/v1/order-history", {
        params: { query: { symbol, limit: HISTORY_PAGE, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  /** One page of the user's fills, newest first. */
  myTrades: (api: Api, symbol: string, cursor: string | null = null) =>
    unwrap(
      api.GET("/api/trading/v1/my-trades", {
        params: { query: { symbol, limit: HISTORY_PAGE, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  place: (api: Api, order: OrderIn) =>
    unwrap(api.POST("/api/trading/v1/orders", { params: { header: { "Idempotency-Key": idempotencyKey() } }, body: order })),
  cancel: (api: Api, symbol: string, orderId: number) =>
    unwrap(api.DELETE("/api/trading/v1/orders/{orderId}", { params: { path: { orderId }, query: { symbol } } })),
  cancelAll: (api: Api, symbol: string) =>
    unwrap(api.DELETE("/api/trading/v1/open-orders", { params: { query: { symbol } } })),
};
