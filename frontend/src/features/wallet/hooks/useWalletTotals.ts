import { useQuery } from "@tanstack/react-query";
import { unwrap } from "../../../lib/api/client";
import { useApi } from "../../../lib/auth/context";
import { useExchangeInfoQuery, useTickers } from "../../../lib/market/hooks";
import { tickerValuationPrice, walletTotals, type MarketPrice, type WalletTotals } from "./displayTotals";
import type { BalanceRow } from "./useBalances";

/** The settings page's key: the wallet reads the same cached profile, so a change shows at once. */
const PROFILE_KEY = ["settings", "profile"] as const;
const DEFAULT_CURRENCY = "AED";

/** Every market's valuation price (mid or last), from the live 24h tickers. */
function marketPrices(
  symbols: readonly { symbol: string; baseAsset: string; quoteAsset: string }[],
  tickers: readonly { symbol: string; bidPrice: string; askPrice: string; lastPrice: string }[],
): MarketPrice[] {
  const bySymbol = new Map(symbols.map((s) => [s.symbol, s]));
  const prices: MarketPrice[] = [];
  for (const ticker of tickers) {
    const info = bySymbol.get(ticker.symbol);
    const price = tickerValuationPrice(ticker);
    if (info && price) prices.push({ base: info.baseAsset, quote: info.quoteAsset, ...price });
  }
  return prices;
}

/**
 * The balances valued in the user's display currency (their profile's, AED by default);
 * null while the prices are still loading, so a total never counts half the assets.
 */
export function useWalletTotals(rows: readonly BalanceRow[]): WalletTotals | null {
  const api = useApi();
  const profile = useQuery({
    queryKey: PROFILE_KEY,
    queryFn: () => unwrap(api.GET("/api/users/v1/profile")),
    retry: false,
  });
  const info = useExchangeInfoQuery();
  const tickers = useTickers();
  if (profile.isPending || !info.data || !tickers.data) return null;
  const currency = profile.data?.displayCurrency ?? DEFAULT_CURRENCY;
  return walletTotals(rows, marketPrices(info.data.symbols, tickers.data), currency);
}
