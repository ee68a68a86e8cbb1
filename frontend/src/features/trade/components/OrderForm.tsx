import { useMutation } from "@tanstack/react-query";
import { useId, useState, type SubmitEvent } from "react";
import { Link } from "react-router";
import { useApi } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { FormMessage } from "../../../lib/ui/forms";
import { tradeApi } from "../api/trade";
import { orderError } from "../model/apiErrors";
import { statusLabel } from "../model/labels";
import {
  amountForPercent,
  checkOrder,
  type Field,
  type FreeBalances,
  type MarketRules,
  type OrderDraft,
} from "../model/orderForm";
import { BalanceSlider, OrderFields, OrderOptions, OrderPreview, SideTabs } from "./OrderFormParts";

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
  /** the price band's reference price (null: not checked here) */
  referencePrice: string | null;
  onPlaced: () => void;
}

/** Buy/sell form: limit (GTC/IOC/FOK, post-only), market (by amount or total), stop-limit. */
export function OrderForm({ rules, balances, signedIn, picked, bestBid, bestAsk, referencePrice, onPlaced }: OrderFormProps) {
  const api = useApi();
  const { t, language } = useI18n();
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
  const checked = checkOrder(draft, rules, signedIn ? balances : null, marketPrice, t, referencePrice);
  const place = useMutation({
    mutationFn: () => {
      if (!checked.order) throw new Error("invalid order");
      return tradeApi.place(api, checked.order);
    },
    onSuccess: (order) => {
      setPlaced(t("trade.form.placed", { id: order.orderId, status: statusLabel(t, order.status) }));
      setDraft((d) => ({ ...d, quantity: "", quoteAmount: "" }));
      setPercent(0);
      onPlaced();
    },
    onError: (error) => {
      const { field, text } = orderError(error, t, language);
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
  const free = draft.side === "BUY" ? `${balances?.quote ?? "0"} ${rules.quoteAsset}` : `${balances?.base ?? "0"} ${rules.baseAsset}`;

  return (
    <section className="panel order-form" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="visually-hidden">
        {t("trade.form.title")}
      </h2>
      <SideTabs side={draft.side} onSide={(side) => update({ side })} />
      <form onSubmit={submit} noValidate>
        <OrderFields id={id} draft={draft} rules={rules} update={update} errors={shown} />
        {signedIn ? <BalanceSlider id={id} percent={percent} onSlide={slide} /> : null}
        <OrderOptions id={id} draft={draft} update={update} />
        <OrderPreview draft={draft} rules={rules} preview={checked.preview} free={signedIn ? free : null} />
        <FormMessage message={shown.form ?? null} />
        <FormMessage tone="ok" message={placed} />
        {signedIn ? (
          <button
            type="submit"
            className={`button button--${draft.side === "BUY" ? "buy" : "sell"}`}
            disabled={place.isPending}
          >
            {t(draft.side === "BUY" ? "trade.buyAsset" : "trade.sellAsset", { asset: rules.baseAsset })}
          </button>
        ) : (
          <p className="order-form__signin">
            <Link to="/login" className="button button--primary">
              {t("trade.form.signIn")}
            </Link>{" "}
            {t("trade.form.or")} <Link to="/register">{t("trade.form.register")}</Link>
          </p>
        )}
      </form>
    </section>
  );
}
