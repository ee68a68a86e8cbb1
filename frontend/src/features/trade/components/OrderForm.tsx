import { useMutation } from "@tanstack/react-query";
import { useId, useState, type SubmitEvent } from "react";
import { Link } from "react-router";
import { useApi } from "../../../lib/auth/context";
import * as D from "../../../lib/decimal";
import { Field as Input, FormMessage } from "../../../lib/ui/forms";
import { tradeApi } from "../api/trade";
import { orderError } from "../model/apiErrors";
import {
  amountForPercent,
  checkOrder,
  type Field,
  type FormType,
  type FreeBalances,
  type MarketRules,
  type OrderDraft,
  type Side,
} from "../model/orderForm";

const EMPTY: OrderDraft = {
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  postOnly: false,
  price: "",
  stopPrice: "",
  quantity: "",
  quoteAmount: "",
  marketBy: "quantity",
};

export interface OrderFormProps {
  rules: MarketRules;
  balances: FreeBalances | null;
  signedIn: boolean;
  /** a price picked in the book: `nonce` changes on every click */
  picked: { price: string; nonce: number } | null;
  bestBid: string | null;
  bestAsk: string | null;
  onPlaced: () => void;
}

/** Buy/sell form: limit (GTC/IOC/FOK, post-only), market (by amount or total), stop-limit. */
export function OrderForm({ rules, balances, signedIn, picked, bestBid, bestAsk, onPlaced }: OrderFormProps) {
  const api = useApi();
  const id = useId();
  const [draft, setDraft] = useState<OrderDraft>(EMPTY);
  const [percent, setPercent] = useState(0);
  const [shown, setShown] = useState<Partial<Record<Field, string>>>({});
  const [placed, setPlaced] = useState<string | null>(null);
  const update = (patch: Partial<OrderDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setShown({});
    setPlaced(null);
  };
  // a price clicked in the book fills the price (adjusting state while rendering)
  const [seenPick, setSeenPick] = useState(picked?.nonce);
  if (picked && picked.nonce !== seenPick) {
    setSeenPick(picked.nonce);
    update({ price: picked.price });
  }
  const marketPrice = draft.side === "BUY" ? bestAsk : bestBid;
  const checked = checkOrder(draft, rules, signedIn ? balances : null, marketPrice);
  const place = useMutation({
    mutationFn: () => {
      if (!checked.order) throw new Error("invalid order");
      return tradeApi.place(api, checked.order);
    },
    onSuccess: (order) => {
      setPlaced(`Order ${order.orderId} placed: ${order.status.toLowerCase().replace("_", " ")}.`);
      setDraft((d) => ({ ...d, quantity: "", quoteAmount: "" }));
      setPercent(0);
      onPlaced();
    },
    onError: (error) => {
      const { field, text } = orderError(error);
      setShown({ [field]: text });
    },
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setPlaced(null);
    if (!checked.order) {
      setShown(checked.errors);
      return;
    }
    setShown({});
    place.mutate();
  };
  const slide = (value: number) => {
    setPercent(value);
    if (!balances) return;
    const amount = amountForPercent(value, draft, rules, balances, marketPrice);
    if (amount) update({ [amount.field]: amount.value });
  };
  const setSide = (side: Side) => update({ side });
  const byQuote = draft.type === "MARKET" && draft.marketBy === "quote";
  const free = draft.side === "BUY" ? `${balances?.quote ?? "0"} ${rules.quoteAsset}` : `${balances?.base ?? "0"} ${rules.baseAsset}`;

  return (
    <section className="panel order-form" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="visually-hidden">
        Place an order
      </h2>
      <div role="tablist" aria-label="Side" className="side-tabs">
        {(["BUY", "SELL"] as const).map((side) => (
          <button
            key={side}
            type="button"
            role="tab"
            aria-selected={draft.side === side}
            className={`side-tabs__tab side-tabs__tab--${side.toLowerCase()}`}
            onClick={() => setSide(side)}
          >
            {side === "BUY" ? "Buy" : "Sell"}
          </button>
        ))}
      </div>
      <form onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-type`}>Order type</label>
          <select id={`${id}-type`} value={draft.type} onChange={(e) => update({ type: e.target.value as FormType })}>
            <option value="LIMIT">Limit</option>
            <option value="MARKET">Market</option>
            <option value="STOP_LIMIT">Stop-limit</option>
          </select>
        </div>
        {draft.type === "STOP_LIMIT" ? (
          <Input
            label={`Stop price (${rules.quoteAsset})`}
            name="stopPrice"
            inputMode="decimal"
            autoComplete="off"
            value={draft.stopPrice}
            onChange={(e) => update({ stopPrice: e.target.value })}
            error={shown.stopPrice}
          />
        ) : null}
        {draft.type !== "MARKET" ? (
          <Input
            label={`Price (${rules.quoteAsset})`}
            name="price"
            inputMode="decimal"
            autoComplete="off"
            value={draft.price}
            onChange={(e) => update({ price: e.target.value })}
            error={shown.price}
          />
        ) : (
          <fieldset className="field segmented-field">
            <legend>Market order by</legend>
            <label className="check">
              <input type="radio" name={`${id}-by`} checked={!byQuote} onChange={() => update({ marketBy: "quantity" })} /> By amount ({rules.baseAsset})
            </label>
            <label className="check">
              <input type="radio" name={`${id}-by`} checked={byQuote} onChange={() => update({ marketBy: "quote" })} /> By total ({rules.quoteAsset})
            </label>
          </fieldset>
        )}
        {byQuote ? (
          <Input
            label={`Total (${rules.quoteAsset})`}
            name="quoteOrderQty"
            inputMode="decimal"
            autoComplete="off"
            value={draft.quoteAmount}
            onChange={(e) => update({ quoteAmount: e.target.value })}
            error={shown.quoteOrderQty}
            hint={draft.side === "BUY" ? "Fees included." : undefined}
          />
        ) : (
          <Input
            label={`Amount (${rules.baseAsset})`}
            name="quantity"
            inputMode="decimal"
            autoComplete="off"
            value={draft.quantity}
            onChange={(e) => update({ quantity: e.target.value })}
            error={shown.quantity}
          />
        )}
        {signedIn ? (
          <div className="field slider">
            <label htmlFor={`${id}-pct`}>
              Share of free balance: <output htmlFor={`${id}-pct`}>{percent}%</output>
            </label>
            <input
              id={`${id}-pct`}
              type="range"
              min={0}
              max={100}
              step={5}
              value={percent}
              list={`${id}-marks`}
              onChange={(e) => slide(Number(e.target.value))}
            />
            <datalist id={`${id}-marks`}>
              {[0, 25, 50, 75, 100].map((m) => (
                <option key={m} value={m} />
              ))}
            </datalist>
          </div>
        ) : null}
        {draft.type !== "MARKET" ? (
          <div className="order-form__options">
            <div className="field">
              <label htmlFor={`${id}-tif`}>Time in force</label>
              <select
                id={`${id}-tif`}
                value={draft.postOnly ? "GTC" : draft.timeInForce}
                disabled={draft.postOnly}
                onChange={(e) => update({ timeInForce: e.target.value as OrderDraft["timeInForce"] })}
              >
                <option value="GTC">Good till cancelled</option>
                <option value="IOC">Immediate or cancel</option>
                <option value="FOK">Fill or kill</option>
              </select>
            </div>
            {draft.type === "LIMIT" ? (
              <label className="check">
                <input type="checkbox" checked={draft.postOnly} onChange={(e) => update({ postOnly: e.target.checked })} /> Post-only
              </label>
            ) : null}
          </div>
        ) : null}
        <dl className="order-form__preview">
          <div>
            <dt>Free</dt>
            <dd data-testid="free-balance">{signedIn ? free : "—"}</dd>
          </div>
          <div>
            <dt>{draft.type === "MARKET" && !byQuote ? "Estimated total" : "Total"}</dt>
            <dd data-testid="order-total">{checked.preview.total ? `${D.format(checked.preview.total)} ${rules.quoteAsset}` : "—"}</dd>
          </div>
          <div>
            <dt>Fee (at most {D.toString(D.normalize(D.mul(rules.takerFee, "100")))}%)</dt>
            <dd data-testid="order-fee">{checked.preview.fee ? `${D.format(checked.preview.fee)} ${rules.quoteAsset}` : "—"}</dd>
          </div>
        </dl>
        <FormMessage message={shown.form ?? null} />
        <FormMessage tone="ok" message={placed} />
        {signedIn ? (
          <button
            type="submit"
            className={`button button--${draft.side === "BUY" ? "buy" : "sell"}`}
            disabled={place.isPending}
          >
            {draft.side === "BUY" ? "Buy" : "Sell"} {rules.baseAsset}
          </button>
        ) : (
          <p className="order-form__signin">
            <Link to="/login" className="button button--primary">
              Sign in to trade
            </Link>{" "}
            or <Link to="/register">create an account</Link>
          </p>
        )}
      </form>
    </section>
  );
}
