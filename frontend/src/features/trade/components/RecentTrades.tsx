import * as D from "../../../lib/decimal";
import { useRecentTrades } from "../hooks/useRecentTrades";
import type { MarketRules } from "../model/orderForm";

function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour12: false });
}

/** The market's newest trades (green: the taker bought). */
export function RecentTrades({ rules }: { rules: MarketRules }) {
  const trades = useRecentTrades(rules.symbol);
  return (
    <section className="panel trades" aria-labelledby="trades-title">
      <header className="panel__head">
        <h2 id="trades-title">Recent trades</h2>
      </header>
      <div className="table-scroll trades__scroll" tabIndex={0} aria-label="Recent trades, scrollable">
        <table
          className="table table--compact"
          data-testid="recent-trades"
          aria-label={`Recent trades: price in ${rules.quoteAsset}, amount in ${rules.baseAsset}`}
        >
          <thead>
            <tr>
              <th scope="col">Price</th>
              <th scope="col" className="num">Amount</th>
              <th scope="col" className="num">Time</th>
            </tr>
          </thead>
          <tbody>
            {(trades.data ?? []).map((t) => (
              <tr key={t.id} data-trade-id={t.id}>
                <td className={t.isBuyerMaker ? "down" : "up"}>{D.format(t.price)}</td>
                <td className="num">{D.format(t.qty)}</td>
                <td className="num muted">{clock(t.time)}</td>
              </tr>
            ))}
            {trades.data?.length === 0 ? (
              <tr>
                <td colSpan={3} className="muted">
                  No trades yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
