/** The order form's parts (OrderForm.tsx holds the state and the submission). */
import * as D from "../../../lib/decimal";
import { useI18n } from "../../../lib/i18nContext";
import { Field as Input } from "../../../lib/ui/forms";
import type { Field, FormType, MarketRules, OrderDraft, Preview, Side } from "../model/orderForm";

interface PartProps {
  id: string;
  draft: OrderDraft;
  rules: MarketRules;
  update: (patch: Partial<OrderDraft>) => void;
}

export function SideTabs({ side, onSide }: { side: Side; onSide: (side: Side) => void }) {
  const { t } = useI18n();
  return (
    <div role="tablist" aria-label={t("trade.side")} className="side-tabs">
      {(["BUY", "SELL"] as const).map((s) => (
        <button
          key={s}
          type="button"
          role="tab"
          aria-selected={side === s}
          className={`side-tabs__tab side-tabs__tab--${s.toLowerCase()}`}
          onClick={() => onSide(s)}
        >
          {s === "BUY" ? t("trade.buy") : t("trade.sell")}
        </button>
      ))}
    </div>
  );
}

/** Order type, stop price, price (or market by amount/total), amount or total. */
export function OrderFields({ id, draft, rules, update, errors }: PartProps & { errors: Partial<Record<Field, string>> }) {
  const { t } = useI18n();
  const byQuote = draft.type === "MARKET" && draft.marketBy === "quote";
  const decimal = { inputMode: "decimal", autoComplete: "off" } as const;
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-type`}>{t("trade.form.type")}</label>
        <select id={`${id}-type`} value={draft.type} onChange={(e) => update({ type: e.target.value as FormType })}>
          <option value="LIMIT">{t("trade.type.LIMIT")}</option>
          <option value="MARKET">{t("trade.type.MARKET")}</option>
          <option value="STOP_LIMIT">{t("trade.type.STOP_LIMIT")}</option>
        </select>
      </div>
      {draft.type === "STOP_LIMIT" ? (
        <Input
          label={t("trade.form.stopPriceIn", { asset: rules.quoteAsset })}
          name="stopPrice"
          {...decimal}
          value={draft.stopPrice}
          onChange={(e) => update({ stopPrice: e.target.value })}
          error={errors.stopPrice}
        />
      ) : null}
      {draft.type !== "MARKET" ? (
        <Input
          label={t("trade.form.priceIn", { asset: rules.quoteAsset })}
          name="price"
          {...decimal}
          value={draft.price}
          onChange={(e) => update({ price: e.target.value })}
          error={errors.price}
        />
      ) : (
        <fieldset className="field segmented-field">
          <legend>{t("trade.form.marketBy")}</legend>
          <label className="check">
            <input type="radio" name={`${id}-by`} checked={!byQuote} onChange={() => update({ marketBy: "quantity" })} />
            {` ${t("trade.form.byAmount", { asset: rules.baseAsset })}`}
          </label>
          <label className="check">
            <input type="radio" name={`${id}-by`} checked={byQuote} onChange={() => update({ marketBy: "quote" })} />
            {` ${t("trade.form.byTotal", { asset: rules.quoteAsset })}`}
          </label>
        </fieldset>
      )}
      {byQuote ? (
        <Input
          label={t("trade.form.totalIn", { asset: rules.quoteAsset })}
          name="quoteOrderQty"
          {...decimal}
          value={draft.quoteAmount}
          onChange={(e) => update({ quoteAmount: e.target.value })}
          error={errors.quoteOrderQty}
          hint={draft.side === "BUY" ? t("trade.form.feesIncluded") : undefined}
        />
      ) : (
        <Input
          label={t("trade.form.amountIn", { asset: rules.baseAsset })}
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
  const { t } = useI18n();
  return (
    <div className="field slider">
      <label htmlFor={`${id}-pct`}>
        {t("trade.form.share")} <output htmlFor={`${id}-pct`}>{percent}%</output>
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
  const { t } = useI18n();
  if (draft.type === "MARKET") return null;
  return (
    <div className="order-form__options">
      <div className="field">
        <label htmlFor={`${id}-tif`}>{t("trade.form.tif")}</label>
        <select
          id={`${id}-tif`}
          value={draft.postOnly ? "GTC" : draft.timeInForce}
          disabled={draft.postOnly}
          onChange={(e) => update({ timeInForce: e.target.value as OrderDraft["timeInForce"] })}
        >
          <option value="GTC">{t("trade.tif.GTC")}</option>
          <option value="IOC">{t("trade.tif.IOC")}</option>
          <option value="FOK">{t("trade.tif.FOK")}</option>
        </select>
      </div>
      {draft.type === "LIMIT" ? (
        <label className="check">
          <input type="checkbox" checked={draft.postOnly} onChange={(e) => update({ postOnly: e.target.checked })} /> {t("trade.form.postOnly")}
        </label>
      ) : null}
    </div>
  );
}

/** Free balance, the order's total and the largest fee it can pay. */
export function OrderPreview({ draft, rules, preview, free }: { draft: OrderDraft; rules: MarketRules; preview: Preview; free: string | null }) {
  const { t } = useI18n();
  const estimated = draft.type === "MARKET" && draft.marketBy === "quantity";
  const quote = (value: string | null) => (value ? `${D.format(value)} ${rules.quoteAsset}` : "—");
  return (
    <dl className="order-form__preview">
      <div>
        <dt>{t("trade.form.free")}</dt>
        <dd data-testid="free-balance">{free ?? "—"}</dd>
      </div>
      <div>
        <dt>{estimated ? t("trade.form.estimatedTotal") : t("trade.form.total")}</dt>
        <dd data-testid="order-total">{quote(preview.total)}</dd>
      </div>
      <div>
        <dt>{t("trade.form.fee", { percent: D.toString(D.normalize(D.mul(rules.takerFee, "100"))) })}</dt>
        <dd data-testid="order-fee">{quote(preview.fee)}</dd>
      </div>
    </dl>
  );
}
