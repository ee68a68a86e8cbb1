/** The order form's parts (OrderForm.tsx holds the state and the submission). */
import * as D from "../../../lib/decimal";
import { Field as Input } from "../../../lib/ui/forms";
import type { Field, FormType, MarketRules, OrderDraft, Preview, Side } from "../model/orderForm";

interface PartProps {
  id: string;
  draft: OrderDraft;
  rules: MarketRules;
  update: (patch: Partial<OrderDraft>) => void;
}

export function SideTabs({ side, onSide }: { side: Side; onSide: (side: Side) => void }) {
  return (
    <div role="tablist" aria-label="Side" className="side-tabs">
      {(["BUY", "SELL"] as const).map((s) => (
        <button
          key={s}
          type="button"
          role="tab"
          aria-selected={side === s}
          className={`side-tabs__tab side-tabs__tab--${s.toLowerCase()}`}
          onClick={() => onSide(s)}
        >
          {s === "BUY" ? "Buy" : "Sell"}
        </button>
      ))}
    </div>
  );
}

/** Order type, stop price, price (or market by amount/total), amount or total. */
export function OrderFields({ id, draft, rules, update, errors }: PartProps & { errors: Partial<Record<Field, string>> }) {
  const byQuote = draft.type === "MARKET" && draft.marketBy === "quote";
  const decimal = { inputMode: "decimal", autoComplete: "off" } as const;
  return (
    <>
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
          {...decimal}
          value={draft.stopPrice}
          onChange={(e) => update({ stopPrice: e.target.value })}
          error={errors.stopPrice}
        />
      ) : null}
      {draft.type !== "MARKET" ? (
        <Input
          label={`Price (${rules.quoteAsset})`}
          name="price"
          {...decimal}
          value={draft.price}
          onChange={(e) => update({ price: e.target.value })}
          error={errors.price}
        />
      ) : (
        <fieldset className="field segmented-field">
          <legend>Market order by</legend>
          <label className="check">
            <input type="radio" name={`${id}-by`} checked={!byQuote} onChange={() => update({ marketBy: "quantity" })} />
            {` By amount (${rules.baseAsset})`}
          </label>
          <label className="check">
            <input type="radio" name={`${id}-by`} checked={byQuote} onChange={() => update({ marketBy: "quote" })} />
            {` By total (${rules.quoteAsset})`}
          </label>
        </fieldset>
      )}
      {byQuote ? (
        <Input
          label={`Total (${rules.quoteAsset})`}
          name="quoteOrderQty"
          {...decimal}
          value={draft.quoteAmount}
          onChange={(e) => update({ quoteAmount: e.target.value })}
          error={errors.quoteOrderQty}
          hint={draft.side === "BUY" ? "Fees included." : undefined}
        />
      ) : (
        <Input
          label={`Amount (${rules.baseAsset})`}
          name="quantity"
          {...decimal}
          value={draft.quantity}
          onChange={(e) => update({ quantity: e.target.value })}
          error={errors.quantity}
        />
      )}
    </>
  );
}

export function BalanceSlider({ id, percent, onSlide }: { id: string; percent: number; onSlide: (value: number) => void }) {
  return (
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
        onChange={(e) => onSlide(Number(e.target.value))}
      />
      <datalist id={`${id}-marks`}>
        {[0, 25, 50, 75, 100].map((m) => (
          <option key={m} value={m} />
        ))}
      </datalist>
    </div>
  );
}

/** Time in force and post-only (limit and stop-limit orders). */
export function OrderOptions({ id, draft, update }: Omit<PartProps, "rules">) {
  if (draft.type === "MARKET") return null;
  return (
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
  );
}

/** Free balance, the order's total and the largest fee it can pay. */
export function OrderPreview({ draft, rules, preview, free }: { draft: OrderDraft; rules: MarketRules; preview: Preview; free: string | null }) {
  const estimated = draft.type === "MARKET" && draft.marketBy === "quantity";
  const quote = (value: string | null) => (value ? `${D.format(value)} ${rules.quoteAsset}` : "—");
  return (
    <dl className="order-form__preview">
      <div>
        <dt>Free</dt>
        <dd data-testid="free-balance">{free ?? "—"}</dd>
      </div>
      <div>
        <dt>{estimated ? "Estimated total" : "Total"}</dt>
        <dd data-testid="order-total">{quote(preview.total)}</dd>
      </div>
      <div>
        <dt>Fee (at most {D.toString(D.normalize(D.mul(rules.takerFee, "100")))}%)</dt>
        <dd data-testid="order-fee">{quote(preview.fee)}</dd>
      </div>
    </dl>
  );
}
