import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../../lib/auth/context";
import * as D from "../../../lib/decimal";
import { formatTime } from "../../../lib/format";
import { FormMessage } from "../../../lib/ui/forms";
import { tradeApi, type MyTrade, type Order } from "../api/trade";
import type { usePrivateData } from "../hooks/usePrivateData";
import { orderError } from "../model/apiErrors";
import type { MarketRules } from "../model/orderForm";

type Tab = "open" | "history" | "trades";
type Data = ReturnType<typeof usePrivateData>;

const TYPE_LABEL: Record<string, string> = {
  LIMIT: "Limit",
  LIMIT_MAKER: "Limit (post-only)",
  MARKET: "Market",
  STOP_LIMIT: "Stop-limit",
  STOP_MARKET: "Stop-market",
};

function OrderRows({ orders, rules, onCancel }: { orders: Order[]; rules: MarketRules; onCancel?: (o: Order) => void }) {
  return (
    <table className="table table--compact">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Side</th>
          <th scope="col">Type</th>
          <th scope="col" className="num">Price</th>
          <th scope="col" className="num">Amount ({rules.baseAsset})</th>
          <th scope="col" className="num">Filled</th>
          <th scope="col">Status</th>
          {onCancel ? <th scope="col"><span className="visually-hidden">Actions</span></th> : null}
        </tr>
      </thead>
      <tbody>
        {orders.map((o) => (
          <tr key={o.orderId} data-order-id={o.orderId} data-status={o.status}>
            <td>{formatTime(o.time)}</td>
            <td className={o.side === "BUY" ? "up" : "down"}>{o.side === "BUY" ? "Buy" : "Sell"}</td>
            <td>{TYPE_LABEL[o.type] ?? o.type}{o.timeInForce !== "GTC" ? ` ${o.timeInForce}` : ""}</td>
            <td className="num">{D.isZero(o.price) ? "Market" : D.format(o.price)}</td>
            <td className="num">{D.format(o.origQty)}</td>
            <td className="num">{D.format(o.executedQty)}</td>
            <td>{o.status.replace("_", " ").toLowerCase()}</td>
            {onCancel ? (
              <td>
                <button type="button" className="button button--small" onClick={() => onCancel(o)} aria-label={`Cancel order ${o.orderId}`}>
                  Cancel
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
  return (
    <table className="table table--compact">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Side</th>
          <th scope="col" className="num">Price</th>
          <th scope="col" className="num">Amount ({rules.baseAsset})</th>
          <th scope="col" className="num">Total ({rules.quoteAsset})</th>
          <th scope="col" className="num">Fee</th>
          <th scope="col">Role</th>
        </tr>
      </thead>
      <tbody>
        {trades.map((t) => (
          <tr key={`${t.id}-${t.orderId}`} data-trade-id={t.id} data-order-id={t.orderId}>
            <td>{formatTime(t.time)}</td>
            <td className={t.isBuyer ? "up" : "down"}>{t.isBuyer ? "Buy" : "Sell"}</td>
            <td className="num">{D.format(t.price)}</td>
            <td className="num">{D.format(t.qty)}</td>
            <td className="num">{D.format(t.quoteQty)}</td>
            <td className="num">{`${D.format(t.commission)} ${t.commissionAsset}`}</td>
            <td>{t.isMaker ? "Maker" : "Taker"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Open orders (cancel, cancel all), order history and the user's fills in this market. */
export function UserOrders({ rules, data, onChanged }: { rules: MarketRules; data: Data; onChanged: () => void }) {
  const api = useApi();
  const [tab, setTab] = useState<Tab>("open");
  const [message, setMessage] = useState<string | null>(null);
  const cancel = useMutation({
    mutationFn: (order: Order) => tradeApi.cancel(api, rules.symbol, order.orderId),
    onSuccess: (order) => {
      setMessage(null);
      onChanged();
      return order;
    },
    onError: (error) => setMessage(orderError(error).text),
  });
  const cancelAll = useMutation({
    mutationFn: () => tradeApi.cancelAll(api, rules.symbol),
    onSuccess: () => {
      setMessage(null);
      onChanged();
    },
    onError: (error) => setMessage(orderError(error).text),
  });
  const open = data.openOrders.data?.items ?? [];
  const tabs: { id: Tab; label: string }[] = [
    { id: "open", label: `Open orders (${open.length})` },
    { id: "history", label: "Order history" },
    { id: "trades", label: "Trade history" },
  ];
  return (
    <section className="panel user-orders" aria-label="Your orders">
      <header className="panel__head">
        <div role="tablist" aria-label="Your orders" className="tabs">
          {tabs.map((t) => (
            <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} onClick={() => setTab(t.id)}>
              {t.label}
            </button>
          ))}
        </div>
        {tab === "open" && open.length > 0 ? (
          <button type="button" className="button button--small" onClick={() => cancelAll.mutate()} disabled={cancelAll.isPending}>
            Cancel all
          </button>
        ) : null}
      </header>
      {!data.signedIn ? (
        <p className="muted">Sign in to see your orders.</p>
      ) : (
        <div
          className="table-scroll"
          role="tabpanel"
          // a region that may scroll sideways must be reachable with the keyboard
          tabIndex={0}
          aria-label={tabs.find((t) => t.id === tab)?.label}
          data-testid={`orders-${tab}`}
        >
          <FormMessage message={message} />
          {tab === "open" ? (
            open.length ? <OrderRows orders={open} rules={rules} onCancel={(o) => cancel.mutate(o)} /> : <p className="muted">No open orders.</p>
          ) : null}
          {tab === "history" ? <OrderRows orders={data.history.data?.items ?? []} rules={rules} /> : null}
          {tab === "trades" ? <TradeRows trades={data.trades.data?.items ?? []} rules={rules} /> : null}
        </div>
      )}
    </section>
  );
}
