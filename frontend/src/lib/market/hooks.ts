/** Public market data shared by the markets and trade pages (TanStack Query keys under "markets"). */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../auth/context";
import { streamName } from "../socket";
import { useOnReconnect, useStreams } from "../useStreams";
import { marketsApi, tickerFromStream, type Ticker } from "./api";

const KEY = ["markets", "tickers"] as const;

/**
 * Every market's 24h ticker: the REST list first, then each `<sym>@ticker` stream message
 * replaces its market's row in the query cache (so every screen shows the same values).
 */
export function useTickers() {
  const api = useApi();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: KEY, queryFn: () => marketsApi.tickers(api), staleTime: 60_000 });
  const names = (query.data ?? []).map((t) => streamName(t.symbol, "ticker"));
  useStreams(names, (_stream, data) => {
    if (!data || typeof data !== "object") return;
    const message = data as Record<string, unknown>;
    queryClient.setQueryData<Ticker[]>(KEY, (rows) =>
      rows?.map((row) => (row.symbol === message.s ? tickerFromStream(message, row) : row)),
    );
  });
  useOnReconnect(() => void queryClient.invalidateQueries({ queryKey: KEY }));
  return query;
}

/** The markets' symbols and rules from /exchangeInfo, cached for the whole visit. */
export function useExchangeInfoQuery() {
  const api = useApi();
  return useQuery({ queryKey: ["markets", "exchangeInfo"], queryFn: () => marketsApi.exchangeInfo(api), staleTime: 300_000 });
}

/**
 * Each market's price-band reference price by symbol (bookTicker), read every 30 s: what a
 * market that never traded shows instead of a last price.
 */
export function useReferencePrices(): Map<string, string> {
  const api = useApi();
  const query = useQuery({
    queryKey: ["markets", "bookTickers"],
    queryFn: () => marketsApi.bookTickers(api),
    staleTime: 30_000,
    refetchInterval: 30_000,
    retry: false,
  });
  const prices = new Map<string, string>();
  for (const row of query.data ?? []) if (row.referencePrice) prices.set(row.symbol, row.referencePrice);
  return prices;
}

/** Fee rates and status as they are now (/markets). */
export function useMarketListQuery() {
  const api = useApi();
  return useQuery({ queryKey: ["markets", "list"], queryFn: () => marketsApi.markets(api), staleTime: 60_000 });
}
