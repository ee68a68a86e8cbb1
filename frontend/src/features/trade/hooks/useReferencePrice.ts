import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useApi } from "../../../lib/auth/context";
import { tradeApi } from "../api/trade";

/**
 * The price band's reference price of `symbol`, read again every few seconds and at once
 * when the market's last price moves (a trade moves the reference). The order form checks
 * a limit price against it before sending; the engine stays the judge.
 */
export function useReferencePrice(symbol: string, lastPrice: string | null): string | null {
  const api = useApi();
  const queryClient = useQueryClient();
  const key = ["trade", "public", symbol, "reference"];
  const query = useQuery({
    queryKey: key,
    queryFn: () => tradeApi.referencePrice(api, symbol),
    refetchInterval: 5000,
    staleTime: 1000,
    retry: false,
  });
  useEffect(() => {
    if (lastPrice) void queryClient.invalidateQueries({ queryKey: ["trade", "public", symbol, "reference"] });
  }, [lastPrice, queryClient, symbol]);
  return query.data ?? null;
}
