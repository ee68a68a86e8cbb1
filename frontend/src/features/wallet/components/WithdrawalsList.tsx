import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/auth/context";
import { formatAmount } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { ProblemMessage } from "../../../lib/ui/forms";
import { LoadMore } from "../../../lib/ui/LoadMore";
import { usePaged } from "../../../lib/usePaged";
import { walletApi } from "../api/wallet";
import { statusLabel } from "../hooks/labels";

const CANCELLABLE = new Set(["PENDING_APPROVAL", "QUEUED"]);

export function WithdrawalsList() {
  const api = useApi();
  const { t, formatTime } = useI18n();
  const queryClient = useQueryClient();
  const withdrawals = usePaged({
    queryKey: ["wallet", "withdrawals"],
    fetchPage: (cursor) => walletApi.withdrawals(api, cursor),
    keyOf: (w) => w.id,
  });
  const cancel = useMutation({
    mutationFn: (id: string) => walletApi.cancelWithdrawal(api, id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["wallet"] }),
  });
  return (
    <>
      <h3>{t("wallet.history.withdrawals")}</h3>
      <ProblemMessage error={cancel.error} />
      <ul className="list" aria-label={t("wallet.history.withdrawals")}>
        {withdrawals.rows.map((w) => (
          <li key={w.id} className="list__row" data-withdrawal={w.id}>
            <div>
              <strong>
                {formatAmount(w.amount)} {w.asset}
              </strong>{" "}
              · <bdi>{w.iban ?? w.address ?? ""}</bdi>{" "}
              <span className="muted">{t("wallet.withdrawals.fee", { fee: formatAmount(w.fee) })}</span>
              <div className="muted">
                {formatTime(w.createdAt)}
                {w.bankReference ? ` · ${t("wallet.withdrawals.bankReference", { reference: w.bankReference })}` : ""}
                {w.reason ? ` · ${w.reason}` : ""}
              </div>
            </div>
            <div className="actions">
              <span className={`badge badge--${w.status.toLowerCase()}`}>{statusLabel(t, w.status)}</span>
              {CANCELLABLE.has(w.status) ? (
                <button
                  type="button"
                  className="button"
                  onClick={() => cancel.mutate(w.id)}
                  aria-label={t("wallet.withdrawals.cancelOne", { amount: w.amount, asset: w.asset })}
                >
                  {t("wallet.withdrawals.cancel")}
                </button>
              ) : null}
            </div>
          </li>
        ))}
        {!withdrawals.isPending && withdrawals.rows.length === 0 ? (
          <li className="muted">{t("wallet.history.withdrawalsEmpty")}</li>
        ) : null}
      </ul>
      <LoadMore list={withdrawals} label={t("wallet.history.withdrawals")} />
    </>
  );
}
