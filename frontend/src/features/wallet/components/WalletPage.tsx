import { useQueryClient } from "@tanstack/react-query";
import { formatAmount } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { ProblemMessage } from "../../../lib/ui/forms";
import { useBalances } from "../hooks/useBalances";
import { useWalletTotals } from "../hooks/useWalletTotals";
import { CryptoDepositPanel } from "./CryptoDepositPanel";
import { DepositPanel } from "./DepositPanel";
import { HistoryPanel } from "./HistoryPanel";
import { TransferPanel } from "./TransferPanel";
import { WalletTotalsPanel, formatValue } from "./WalletTotalsPanel";
import { WithdrawGate } from "./WithdrawGate";

export function WalletPage() {
  const { t } = useI18n();
  const balances = useBalances();
  const totals = useWalletTotals(balances.rows);
  const valueOf = (asset: string): string => {
    if (!totals) return "…";
    const value = totals.values.find((v) => v.asset === asset);
    return value ? formatValue(value.total) : "—";
  };
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["wallet"] });
  return (
    <div className="page">
      <section className="card card--wide" aria-labelledby="balances-title">
        <div className="card__head">
          <h1 id="balances-title">{t("wallet.title")}</h1>
          <button type="button" className="button" onClick={() => void refresh()}>
            {t("wallet.refresh")}
          </button>
        </div>
        <ProblemMessage error={balances.error} />
        {balances.isPending ? <p role="status">{t("wallet.loadingBalances")}</p> : null}
        <div className="table-wrap">
          <table className="table" aria-label={t("wallet.balances")}>
            <thead>
              <tr>
                <th scope="col">{t("wallet.col.asset")}</th>
                <th scope="col" className="num">{t("wallet.col.fundingAvailable")}</th>
                <th scope="col" className="num">{t("wallet.col.fundingHeld")}</th>
                <th scope="col" className="num">{t("wallet.col.spotFree")}</th>
                <th scope="col" className="num">{t("wallet.col.spotLocked")}</th>
                <th scope="col" className="num">{t("wallet.col.value", { currency: totals?.currency ?? "…" })}</th>
              </tr>
            </thead>
            <tbody>
              {balances.rows.map((r) => (
                <tr key={r.asset} data-asset={r.asset}>
                  <th scope="row">{r.asset}</th>
                  <td className="num" data-col="funding-available">{formatAmount(r.fundingAvailable)}</td>
                  <td className="num">{formatAmount(r.fundingHeld)}</td>
                  <td className="num" data-col="spot-free">{formatAmount(r.spotFree)}</td>
                  <td className="num">{formatAmount(r.spotLocked)}</td>
                  <td className="num" data-col="value">{valueOf(r.asset)}</td>
                </tr>
              ))}
              {!balances.isPending && balances.rows.length === 0 ? (
                <tr>
                  <td colSpan={6} className="muted">{t("wallet.noBalances")}</td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
        {balances.rows.length > 0 ? <WalletTotalsPanel totals={totals} /> : null}
      </section>
      <div className="grid-2">
        <DepositPanel />
        <CryptoDepositPanel />
        <TransferPanel assets={balances.rows.map((r) => r.asset)} />
        <WithdrawGate />
      </div>
      <HistoryPanel assets={balances.rows.map((r) => r.asset)} />
    </div>
  );
}
