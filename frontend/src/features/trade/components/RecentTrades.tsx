import * as D from "../../../lib/decimal";
import { formatClock } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { useRecentTrades } from "../hooks/useRecentTrades";
import type { MarketRules } from "../model/orderForm";

/** The market's newest trades (green: the taker bought). */
export function RecentTrades({ rules }: { rules: MarketRules }) {
  const trades = useRecentTrades(rules.symbol);
  const { t, timeDisplay } = useI18n();
  return (
    <section className="panel trades" aria-labelledby="trades-title">
      <header className="panel__head">
        <h2 id="trades-title">{t("trade.recent.title")}</h2>
      </header>
      <div className="table-scroll trades__scroll" tabIndex={0} aria-label={t("trade.recent.scroll")}>
        <table
          className="table table--compact"
          data-testid="recent-trades"
          aria-label={t("trade.recent.table", { quote: rules.quoteAsset, base: rules.baseAsset })}
        >
          <thead>
            <tr>
              <th scope="col">{t("trade.col.price")}</th>
              <th scope="col" className="num">{t("trade.col.amount")}</th>
              <th scope="col" className="num">{t("trade.col.time")}</th>
            </tr>
          </thead>
          <tbody>
            {(trades.data ?? []).map((tr) => (
              <tr key={tr.id} data-trade-id={tr.id}>
                <td className={tr.isBuyerMaker ? "down" : "up"}>{D.format(tr.price)}</td>
                <td className="num">{D.format(tr.qty)}</td>
                <td className="num muted">{formatClock(tr.time, timeDisplay)}</td>
              </tr>
            ))}
            {trades.data?.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  {t("trade.recent.empty")}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
