import { useMemo } from "react";
import { useExchangeInfoQuery, useMarketListQuery } from "../../../lib/market/hooks";
import { rulesFrom, type MarketRules } from "../model/orderForm";

/** `BTC-AED`, `BTC_AED`, `btcaed`, `BTC/AED` → `BTCAED`. */
export function symbolFromRoute(param: string | undefined): string {
  return (param ?? "").toUpperCase().replace(/[-_/\s]/g, "");
}

/** The market named by the route, with its rules, or why there is none. */
export function useMarket(param: string | undefined): {
  rules: MarketRules | null;
  label: string;
  loading: boolean;
  unknown: boolean;
} {
  const symbol = symbolFromRoute(param);
  const info = useExchangeInfoQuery();
  const markets = useMarketListQuery();
  return useMemo(() => {
    const entry = info.data?.symbols.find((s) => s.symbol === symbol);
    if (!entry) return { rules: null, label: symbol, loading: info.isPending, unknown: !info.isPending };
    const fees = markets.data?.items.find((m) => m.symbol.replace("/", "") === symbol);
    return {
      rules: rulesFrom(entry, fees),
      label: `${entry.baseAsset}/${entry.quoteAsset}`,
      loading: false,
      unknown: false,
    };
  }, [info.data, info.isPending, markets.data, symbol]);
}
