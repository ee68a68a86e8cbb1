import * as D from "../../../lib/decimal";
import type { WalletTotals } from "../hooks/displayTotals";

/** A value in the display currency: 2 decimals, rounded half-up (it is an estimate). */
export function formatValue(value: D.Dec): string {
  return D.format(D.rescale(value, 2, "half-up"));
}

/** The per-wallet and overall totals, marked "≈", with the prices they used and what they left out. */
export function WalletTotalsPanel({ totals }: { totals: WalletTotals | null }) {
  if (!totals) return <p className="muted" role="status">Valuing the balances with market prices…</p>;
  const { currency } = totals;
  return (
    <div className="totals" data-testid="wallet-totals" role="group" aria-label={`Totals in ${currency}`}>
      <dl>
        <dt>Funding</dt>
        <dd data-testid="wallet-total-funding">≈ {formatValue(totals.funding)} {currency}</dd>
        <dt>Spot</dt>
        <dd data-testid="wallet-total-spot">≈ {formatValue(totals.spot)} {currency}</dd>
        <dt>Total</dt>
        <dd data-testid="wallet-total-all">
          <strong>≈ {formatValue(totals.all)} {currency}</strong>
        </dd>
      </dl>
      <p className="muted" data-testid="wallet-total-prices">
        {totals.used.length === 0
          ? `No market price needed: every counted balance is in ${currency}.`
          : `At market prices (mid of best bid and ask, else last trade): ${totals.used
              .map((m) => `1 ${m.base} = ${D.format(m.price)} ${m.quote}${m.source === "last" ? " (last)" : ""}`)
              .join("; ")}.`}
      </p>
      {totals.unpriced.length > 0 ? (
        <p className="muted" data-testid="wallet-total-unpriced">
          Not in the totals, with no market price in {currency}: {totals.unpriced.join(", ")}.
        </p>
      ) : null}
    </div>
  );
}
