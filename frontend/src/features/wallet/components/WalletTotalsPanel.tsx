import * as D from "../../../lib/decimal";
import { useI18n } from "../../../lib/i18nContext";
import type { WalletTotals } from "../hooks/displayTotals";

/** A value in the display currency: 2 decimals, rounded half-up (it is an estimate). */
export function formatValue(value: D.Dec): string {
  return D.format(D.rescale(value, 2, "half-up"));
}

/** The per-wallet and overall totals, marked "≈", with the prices they used and what they left out. */
export function WalletTotalsPanel({ totals }: { totals: WalletTotals | null }) {
  const { t } = useI18n();
  if (!totals) return <p className="muted" role="status">{t("wallet.totals.valuing")}</p>;
  const { currency } = totals;
  return (
    <div className="totals" data-testid="wallet-totals" role="group" aria-label={t("wallet.totals.group", { currency })}>
      <dl>
        <dt>{t("wallet.totals.funding")}</dt>
        <dd data-testid="wallet-total-funding">≈ {formatValue(totals.funding)} {currency}</dd>
        <dt>{t("wallet.totals.spot")}</dt>
        <dd data-testid="wallet-total-spot">≈ {formatValue(totals.spot)} {currency}</dd>
        <dt>{t("wallet.totals.all")}</dt>
        <dd data-testid="wallet-total-all">
          <strong>≈ {formatValue(totals.all)} {currency}</strong>
        </dd>
      </dl>
      <p className="muted" data-testid="wallet-total-prices">
        {totals.used.length === 0
          ? t("wallet.totals.noPrice", { currency })
          : t("wallet.totals.prices", {
              prices: totals.used
                .map((m) => `1 ${m.base} = ${D.format(m.price)} ${m.quote}${m.source === "last" ? ` ${t("wallet.totals.last")}` : ""}`)
                .join("; "),
            })}
      </p>
      {totals.unpriced.length > 0 ? (
        <p className="muted" data-testid="wallet-total-unpriced">
          {t("wallet.totals.unpriced", { currency, assets: totals.unpriced.join(", ") })}
        </p>
      ) : null}
    </div>
  );
}
