import { useQuery } from "@tanstack/react-query";
import { useApi, useSessionState } from "../../../lib/auth/context";
import { tradeApi } from "../api/trade";

/** The user's orders, fills and spot balances for one market (only when signed in). */
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
    history: useQuery({
      queryKey: [...base, symbol, "history"],
      queryFn: () => tradeApi.orderHistory(api, symbol),
      enabled: signedIn,
      staleTime: 5000,
    }),
    trades: useQuery({
      queryKey: [...base, symbol, "trades"],
      queryFn: () => tradeApi.myTrades(api, symbol),
      enabled: signedIn,
      staleTime: 5000,
    }),
  };
}
