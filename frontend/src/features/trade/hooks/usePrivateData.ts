import { useQuery } from "@tanstack/react-query";
import { useApi, useSessionState } from "../../../lib/auth/context";
import { usePaged } from "../../../lib/usePaged";
import { tradeApi, type MyTrade, type Order } from "../api/trade";

/**
 * The user's orders, fills and spot balances for one market (only when signed in). Order
 * and trade history are cursor-paged: the first page, then "Load more".
 */
export function usePrivateData(symbol: string) {
  const api = useApi();
  const signedIn = useSessionState().status === "signedIn";
  const base = ["trade", "private"];
  return {
    signedIn,
    balances: useQuery({ queryKey: [...base, "balances"], queryFn: () => tradeApi.balances(api), enabled: signedIn, staleTime: 5000 }),
    openOrders: useQuery({
      queryKey: [...base, symbol, "open"],
      queryFn: () => tradeApi.openOrders(api, symbol),
      enabled: signedIn,
      staleTime: 5000,
    }),
    history: usePaged<Order>({
      queryKey: [...base, symbol, "history"],
      fetchPage: (cursor) => tradeApi.orderHistory(api, symbol, cursor),
      keyOf: (o) => o.orderId,
      enabled: signedIn,
      staleTime: 5000,
    }),
    trades: usePaged<MyTrade>({
      queryKey: [...base, symbol, "trades"],
      fetchPage: (cursor) => tradeApi.myTrades(api, symbol, cursor),
      // a self-trade is two fills with one trade id (one per order)
      keyOf: (t) => `${t.id}-${t.orderId}`,
      enabled: signedIn,
      staleTime: 5000,
    }),
  };
}
