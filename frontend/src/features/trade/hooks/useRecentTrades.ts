import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/auth/context";
import { streamName } from "../../../lib/socket";
import { useOnReconnect, useStreams } from "../../../lib/useStreams";
import { tradeApi, type PublicTrade } from "../api/trade";

const KEEP = 50;

interface TradeMessage {
  t: number;
  p: string;
  q: string;
  T: number;
  m: boolean;
}

/** The market's newest trades, newest first: REST, then the `@trade` stream on top. */
export function useRecentTrades(symbol: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const key = ["trade", "public", symbol, "trades"];
  const query = useQuery({
    queryKey: key,
    queryFn: async () => (await tradeApi.trades(api, symbol)).slice().reverse(),
    staleTime: Infinity,
  });
  useStreams([streamName(symbol, "trade")], (_stream, data) => {
    const incoming = (Array.isArray(data) ? data : [data]) as TradeMessage[];
    queryClient.setQueryData<PublicTrade[]>(key, (rows = []) => {
      const known = new Set(rows.map((r) => r.id));
      const fresh = incoming
        .filter((m) => !known.has(m.t))
        .map((m) => ({ id: m.t, price: m.p, qty: m.q, time: m.T, isBuyerMaker: m.m }))
        .reverse();
      return [...fresh, ...rows].slice(0, KEEP);
    });
  });
  // trades published while disconnected are missed: read them again after a reconnect
  // (the candles too: their query key is under the same prefix)
  useOnReconnect(() => void queryClient.invalidateQueries({ queryKey: ["trade", "public", symbol] }));
  return query;
}
