import { useMemo, useState } from "react";
import { aggregate, groupingSteps, type Row } from "../../../lib/book";
import * as D from "../../../lib/decimal";
import { useI18n } from "../../../lib/i18nContext";
import type { MarketRules } from "../model/orderForm";
import type { OrderBookState } from "../hooks/useOrderBook";

const ROWS = 12;

function BookRow({ row, kind, rules, onPick }: { row: Row; kind: "bid" | "ask"; rules: MarketRules; onPick: (price: string) => void }) {
  const { t } = useI18n();
  const price = D.toFixed(row.price, D.stepScale(rules.tickSize));
  return (
    <li>
      <button
        type="button"
        className={`book__row book__row--${kind}`}
        style={{ ["--depth" as string]: `${(row.depth * 100).toFixed(1)}%` }}
        onClick={() => onPick(price)}
        aria-label={t(kind === "bid" ? "trade.book.bidRow" : "trade.book.askRow", { price, qty: row.qty, asset: rules.baseAsset })}
        data-price={price}
      >
        <span className="book__price">{D.format(price)}</span>
        <span className="num">{D.format(row.qty)}</span>
        <span className="num hide-narrow">{D.format(row.cumulative)}</span>
      </button>
    </li>
  );
}

/** The live order book: grouping by price step, depth shading, click a price to use it. */
export function OrderBook({
  rules,
  state,
  lastPrice,
  onPick,
}: {
  rules: MarketRules;
  state: OrderBookState;
  lastPrice: string | null;
  onPick: (price: string) => void;
}) {
  const { t } = useI18n();
  const { sync, version, live } = state;
  const steps = useMemo(() => groupingSteps(rules.tickSize), [rules.tickSize]);
  const [step, setStep] = useState<string>(rules.tickSize);
  const book = sync.getBook();
  const { bids, asks } = useMemo(() => {
    if (!book) return { bids: [], asks: [] };
    const grouping = D.compare(step, rules.tickSize) > 0 ? step : undefined;
    return {
      bids: aggregate(book.bids, "bids", ROWS, grouping),
      asks: aggregate(book.asks, "asks", ROWS, grouping).reverse(),
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the book mutates in place: `version` says when
  }, [book, version, step, rules.tickSize]);
  const bestBid = bids[0]?.price;
  const bestAsk = asks[asks.length - 1]?.price;
  const spread = bestBid && bestAsk ? D.toString(D.sub(bestAsk, bestBid)) : null;

  return (
    <section
      className="panel book"
      aria-labelledby="book-title"
      data-book-live={live}
      data-update-id={book?.lastUpdateId ?? ""}
      data-gaps={sync.gaps}
    >
      <header className="panel__head">
        <h2 id="book-title">{t("trade.book.title")}</h2>
        <label className="book__group">
          <span className="visually-hidden">{t("trade.book.group")}</span>
          <select value={step} onChange={(e) => setStep(e.target.value)} aria-label={t("trade.book.group")}>
            {steps.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </header>
      {!live ? (
        <p className="book__stale" role="status">
          {book ? t("trade.book.resync") : t("trade.book.loading")}
        </p>
      ) : null}
      <div className="book__cols" aria-hidden="true">
        <span>{t("trade.book.price", { asset: rules.quoteAsset })}</span>
        <span className="num">{t("trade.book.amount", { asset: rules.baseAsset })}</span>
        <span className="num hide-narrow">{t("trade.book.total")}</span>
      </div>
      <ol className="book__side book__side--asks" aria-label={t("trade.book.asks")} data-testid="book-asks">
        {asks.map((row) => (
          <BookRow key={row.price} row={row} kind="ask" rules={rules} onPick={onPick} />
        ))}
      </ol>
      <p className="book__mid">
        <strong>{lastPrice && D.isPositive(lastPrice) ? D.format(lastPrice) : "—"}</strong>
        {spread ? <span className="muted"> {t("trade.book.spread", { value: D.format(spread) })}</span> : null}
      </p>
      <ol className="book__side book__side--bids" aria-label={t("trade.book.bids")} data-testid="book-bids">
        {bids.map((row) => (
          <BookRow key={row.price} row={row} kind="bid" rules={rules} onPick={onPick} />
        ))}
      </ol>
      {book && !bids.length && !asks.length ? <p className="muted">{t("trade.book.empty")}</p> : null}
    </section>
  );
}
