import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { bestPrices } from "../../../lib/book";
import * as D from "../../../lib/decimal";
import { useI18n } from "../../../lib/i18nContext";
import { tickerPrice } from "../../../lib/market/api";
import { useTickers } from "../../../lib/market/hooks";
import { StreamBadge } from "../../../lib/ui/StreamBadge";
import { INTERVALS, type Interval } from "../api/trade";
import { useMarket } from "../hooks/useMarket";
import { useOrderBook } from "../hooks/useOrderBook";
import { usePrivateData } from "../hooks/usePrivateData";
import { usePrivateUpdates } from "../hooks/usePrivateUpdates";
import { useReferencePrice } from "../hooks/useReferencePrice";
import type { MarketRules } from "../model/orderForm";
import { OrderBook } from "./OrderBook";
import { OrderForm } from "./OrderForm";
import { PairBalances } from "./PairBalances";
import { RecentTrades } from "./RecentTrades";
import { UserOrders } from "./UserOrders";
import "./trade.css";

// the chart library is its own chunk: the page is usable before it arrives
const Chart = lazy(() => import("./Chart"));

type Pane = "chart" | "book" | "trades";

/** The 24h ticker; a market that never traded shows the band's reference price instead. */
function TickerBar({ rules, label, referencePrice }: { rules: MarketRules; label: string; referencePrice: string | null }) {
  const { t: tr } = useI18n();
  const tickers = useTickers();
  const t = tickers.data?.find((x) => x.symbol === rules.symbol);
  const change = t ? D.tryParse(t.priceChangePercent) : null;
  const tone = !change || D.isZero(change) ? "flat" : D.isPositive(change) ? "up" : "down";
  const traded = t ? D.isPositive(D.tryParse(t.lastPrice) ?? "0") : false;
  const showReference = !traded && referencePrice !== null && D.isPositive(referencePrice);
  return (
    <header className="trade__ticker panel">
      <h1>{label}</h1>
      <dl>
        <div>
          <dt>{showReference ? tr("trade.ticker.reference") : tr("trade.ticker.last")}</dt>
          <dd data-testid="last-price">{showReference ? tickerPrice(referencePrice) : tickerPrice(t?.lastPrice)}</dd>
        </div>
        <div>
          <dt>{tr("trade.ticker.change")}</dt>
          <dd className={`change change--${tone}`}>{t ? `${t.priceChangePercent}%` : "—"}</dd>
        </div>
        <div className="hide-narrow">
          <dt>{tr("trade.ticker.high")}</dt>
          <dd>{tickerPrice(t?.highPrice)}</dd>
        </div>
        <div className="hide-narrow">
          <dt>{tr("trade.ticker.low")}</dt>
          <dd>{tickerPrice(t?.lowPrice)}</dd>
        </div>
        <div>
          <dt>{tr("trade.ticker.volume", { asset: rules.baseAsset })}</dt>
          <dd>{t ? D.format(t.volume) : "—"}</dd>
        </div>
      </dl>
      <StreamBadge />
    </header>
  );
}

function Trade({ rules, label }: { rules: MarketRules; label: string }) {
  const queryClient = useQueryClient();
  const { t } = useI18n();
  const [interval, setChartInterval] = useState<Interval>("1m");
  const [pane, setPane] = useState<Pane>("chart");
  const [picked, setPicked] = useState<{ price: string; nonce: number } | null>(null);
  const data = usePrivateData(rules.symbol);
  usePrivateUpdates(data.signedIn);
  const book = useOrderBook(rules.symbol);
  const { sync, version } = book;
  const best = useMemo(() => {
    const book = sync.getBook();
    return book ? bestPrices(book) : { bid: null, ask: null };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the book mutates in place: `version` says when
  }, [sync, version]);
  const tickers = useTickers();
  const lastPrice = tickers.data?.find((x) => x.symbol === rules.symbol)?.lastPrice ?? null;
  const referencePrice = useReferencePrice(rules.symbol, lastPrice);
  const items = data.balances.data?.items ?? [];
  const free = (asset: string) => items.find((b) => b.asset === asset)?.free ?? "0";
  const balances = data.signedIn ? { base: free(rules.baseAsset), quote: free(rules.quoteAsset) } : null;
  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: ["trade", "private"] });
  }, [queryClient]);
  const pick = useCallback((price: string) => setPicked((p) => ({ price, nonce: (p?.nonce ?? 0) + 1 })), []);

  return (
    <div className="trade" data-pane={pane}>
      <TickerBar rules={rules} label={label} referencePrice={referencePrice} />
      <div role="tablist" aria-label={t("trade.view")} className="tabs trade__panes">
        {(["chart", "book", "trades"] as const).map((p) => (
          <button key={p} type="button" role="tab" aria-selected={pane === p} onClick={() => setPane(p)}>
            {t(p === "chart" ? "trade.view.chart" : p === "book" ? "trade.view.book" : "trade.view.trades")}
          </button>
        ))}
      </div>
      <section className="panel trade__chart" aria-label={t("trade.chart")}>
        <div role="group" aria-label={t("trade.chart.interval")} className="segmented">
          {INTERVALS.map((i) => (
            <button key={i} type="button" aria-pressed={interval === i} onClick={() => setChartInterval(i)}>
              {i}
            </button>
          ))}
        </div>
        <Suspense fallback={<p role="status" className="chart chart--loading">{t("trade.chart.loading")}</p>}>
          <Chart symbol={rules.symbol} label={label} interval={interval} />
        </Suspense>
      </section>
      <div className="trade__book">
        <OrderBook rules={rules} state={book} lastPrice={lastPrice} onPick={pick} />
      </div>
      <div className="trade__trades">
        <RecentTrades rules={rules} />
      </div>
      <div className="trade__form">
        <OrderForm
          rules={rules}
          balances={balances}
          signedIn={data.signedIn}
          picked={picked}
          bestBid={best.bid}
          bestAsk={best.ask}
          referencePrice={referencePrice}
          onPlaced={refresh}
        />
      </div>
      <div className="trade__balances">
        <PairBalances rules={rules} items={items} signedIn={data.signedIn} />
      </div>
      <div className="trade__orders">
        <UserOrders rules={rules} data={data} onChanged={refresh} />
      </div>
    </div>
  );
}

/** `/trade/:symbol` (`BTC-AED` or `BTCAED`). */
export default function TradePage() {
  const { symbol } = useParams();
  const { t } = useI18n();
  const market = useMarket(symbol);
  useEffect(() => {
    document.title = `${market.label} · Burency`;
    return () => {
      document.title = "Burency";
    };
  }, [market.label]);
  if (market.loading) return <p role="status">{t("trade.loadingMarket")}</p>;
  if (!market.rules) {
    return (
      <section className="card">
        <h1>{t("trade.unknownMarket")}</h1>
        <p>
          {t("trade.noSuchMarket", { market: market.label })} <Link to="/markets">{t("trade.seeMarkets")}</Link>
        </p>
      </section>
    );
  }
  return <Trade key={market.rules.symbol} rules={market.rules} label={market.label} />;
}
