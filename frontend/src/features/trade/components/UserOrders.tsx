import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../../lib/auth/context";
import * as D from "../../../lib/decimal";
import { useI18n } from "../../../lib/i18nContext";
import { FormMessage } from "../../../lib/ui/forms";
import { LoadMore } from "../../../lib/ui/LoadMore";
import { tradeApi, type MyTrade, type Order } from "../api/trade";
import type { usePrivateData } from "../hooks/usePrivateData";
import { orderError } from "../model/apiErrors";
import { statusLabel, typeLabel } from "../model/labels";
import type { MarketRules } from "../model/orderForm";

type Tab = "open" | "history" | "trades";
type Data = ReturnType<typeof usePrivateData>;

function OrderRows({ orders, rules, onCancel }: { orders: Order[]; rules: MarketRules; onCancel?: (o: Order) => void }) {
  const { t, formatTime } = useI18n();
  return (
    <table className="table table--compact">
      <thead>
        <tr>
          <th scope="col">{t("trade.col.time")}</th>
          <th scope="col">{t("trade.col.side")}</th>
          <th scope="col">{t("trade.col.type")}</th>
          <th scope="col" className="num">{t("trade.col.price")}</th>
          <th scope="col" className="num">{t("trade.col.amountIn", { asset: rules.baseAsset })}</th>
          <th scope="col" className="num">{t("trade.col.filled")}</th>
          <th scope="col">{t("trade.col.status")}</th>
          {onCancel ? <th scope="col"><span className="visually-hidden">{t("trade.col.actions")}</span></th> : null}
        </tr>
      </thead>
      <tbody>
        {orders.map((o) => (
          <tr key={o.orderId} data-order-id={o.orderId} data-status={o.status}>
            <td data-col="time">{formatTime(o.time)}</td>
            <td className={o.side === "BUY" ? "up" : "down"}>{o.side === "BUY" ? t("trade.buy") : t("trade.sell")}</td>
            <td>{typeLabel(t, o.type)}{o.timeInForce !== "GTC" ? ` ${o.timeInForce}` : ""}</td>
            <td className="num">{D.isZero(o.price) ? t("trade.orders.marketPrice") : D.format(o.price)}</td>
            <td className="num">{D.format(o.origQty)}</td>
            <td className="num">{D.format(o.executedQty)}</td>
            <td>{statusLabel(t, o.status)}</td>
            {onCancel ? (
              <td>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => onCancel(o)}
                  aria-label={t("trade.orders.cancelOrder", { id: o.orderId })}
                >
                  {t("trade.orders.cancel")}
                </button>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TradeRows({ trades, rules }: { trades: MyTrade[]; rules: MarketRules }) {
  const { t, formatTime } = useI18n();
  return (
    <table className="table table--compact">
      <thead>
        <tr>
          <th scope="col">{t("trade.col.time")}</th>
          <th scope="col">{t("trade.col.side")}</th>
          <th scope="col" className="num">{t("trade.col.price")}</th>
          <th scope="col" className="num">{t("trade.col.amountIn", { asset: rules.baseAsset })}</th>
          <th scope="col" className="num">{t("trade.col.totalIn", { asset: rules.quoteAsset })}</th>
          <th scope="col" className="num">{t("trade.col.fee")}</th>
          <th scope="col">{t("trade.col.role")}</th>
        </tr>
      </thead>
      <tbody>
        {trades.map((tr) => (
          <tr key={`${tr.id}-${tr.orderId}`} data-trade-id={tr.id} data-order-id={tr.orderId}>
            <td data-col="time">{formatTime(tr.time)}</td>
            <td className={tr.isBuyer ? "up" : "down"}>{tr.isBuyer ? t("trade.buy") : t("trade.sell")}</td>
            <td className="num">{D.format(tr.price)}</td>
            <td className="num">{D.format(tr.qty)}</td>
            <td className="num">{D.format(tr.quoteQty)}</td>
            <td className="num">{`${D.format(tr.commission)} ${tr.commissionAsset}`}</td>
            <td>{tr.isMaker ? t("trade.orders.maker") : t("trade.orders.taker")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Open orders (cancel, cancel all), order history and the user's fills in this market (paged). */
export function UserOrders({ rules, data, onChanged }: { rules: MarketRules; data: Data; onChanged: () => void }) {
  const api = useApi();
  const { t, language } = useI18n();
  const [tab, setTab] = useState<Tab>("open");
  const [message, setMessage] = useState<string | null>(null);
  const cancel = useMutation({
    mutationFn: (order: Order) => tradeApi.cancel(api, rules.symbol, order.orderId),
    onSuccess: (order) => {
      setMessage(null);
      onChanged();
      return order;
    },
    onError: (error) => setMessage(orderError(error, t, language).text),
  });
  const cancelAll = useMutation({
    mutationFn: () => tradeApi.cancelAll(api, rules.symbol),
    onSuccess: () => {
      setMessage(null);
      onChanged();
    },
    onError: (error) => setMessage(orderError(error, t, language).text),
  });
  const open = data.openOrders.data?.items ?? [];
  const tabs: { id: Tab; label: string }[] = [
    { id: "open", label: t("trade.orders.open", { count: open.length }) },
    { id: "history", label: t("trade.orders.history") },
    { id: "trades", label: t("trade.orders.trades") },
  ];
  const { history, trades } = data;
  return (
    <section className="panel user-orders" aria-label={t("trade.orders.title")}>
      <header className="panel__head">
        <div role="tablist" aria-label={t("trade.orders.title")} className="tabs">
          {tabs.map((tb) => (
            <button key={tb.id} type="button" role="tab" aria-selected={tab === tb.id} onClick={() => setTab(tb.id)}>
              {tb.label}
            </button>
          ))}
        </div>
        {tab === "open" && open.length > 0 ? (
          <button type="button" className="button button--small" onClick={() => cancelAll.mutate()} disabled={cancelAll.isPending}>
            {t("trade.orders.cancelAll")}
          </button>
        ) : null}
      </header>
      {!data.signedIn ? (
        <p className="muted">{t("trade.orders.signIn")}</p>
      ) : (
        <div
          className="table-scroll"
          role="tabpanel"
          // a region that may scroll sideways must be reachable with the keyboard
          tabIndex={0}
          aria-label={tabs.find((tb) => tb.id === tab)?.label}
          data-testid={`orders-${tab}`}
        >
          <FormMessage message={message} />
          {tab === "open" ? (
            open.length ? (
              <OrderRows orders={open} rules={rules} onCancel={(o) => cancel.mutate(o)} />
            ) : (
              <p className="muted">{t("trade.orders.noOpen")}</p>
            )
          ) : null}
          {tab === "history" ? (
            <>
              <OrderRows orders={history.rows} rules={rules} />
              {!history.isPending && history.rows.length === 0 ? <p className="muted">{t("trade.orders.noHistory")}</p> : null}
              <LoadMore list={history} label={t("trade.orders.history")} />
            </>
          ) : null}
          {tab === "trades" ? (
            <>
              <TradeRows trades={trades.rows} rules={rules} />
              {!trades.isPending && trades.rows.length === 0 ? <p className="muted">{t("trade.orders.noTrades")}</p> : null}
              <LoadMore list={trades} label={t("trade.orders.trades")} />
            </>
          ) : null}
        </div>
      )}
    </section>
  );
}
