import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, formatTime } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { usePaged } from "../../../lib/usePaged";
import { adminApi } from "../api/admin";
import { useEmails } from "../hooks/useEmails";
import { AdminPage } from "./AdminPage";
import { LoadMore } from "./LoadMore";

/** Fiat deposit approvals: staff match a bank statement line to a request by its reference. */
export function AdminDepositsPage() {
  const api = useApi();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const deposits = usePaged({
    queryKey: ["admin", "deposits"],
    fetchPage: (cursor) => adminApi.pendingDeposits(api, cursor),
    keyOf: (d) => d.id,
  });
  const emails = useEmails(deposits.rows.map((d) => d.userId));
  const done = () => queryClient.invalidateQueries({ queryKey: ["admin", "deposits"] });
  const approve = useMutation({ mutationFn: (id: string) => adminApi.approve(api, id, null), onSuccess: done });
  const reject = useMutation({
    mutationFn: (id: string) => adminApi.reject(api, id, "No matching bank transfer was received."),
    onSuccess: done,
  });
  return (
    <AdminPage id="admin-deposits" title={t("admin.deposits.title")} errors={[deposits.error, approve.error, reject.error]}>
      {deposits.isPending ? <p role="status">{t("common.loading")}</p> : null}
      {!deposits.isPending && deposits.rows.length === 0 ? <p className="muted">{t("admin.nothingToApprove")}</p> : null}
      <ul className="list" aria-label={t("admin.deposits.title")}>
        {deposits.rows.map((d) => (
          <li key={d.id} className="list__row" data-deposit-reference={d.reference}>
            <div>
              <strong>
                {formatAmount(d.amount)} {d.asset}
              </strong>{" "}
              · {t("admin.deposits.reference")} <code>{d.reference}</code>
              <div className="muted">
                {t("admin.user", { user: emails(d.userId) })} · {formatTime(d.createdAt)}
              </div>
            </div>
            <div className="actions">
              <button
                type="button"
                className="button button--primary"
                onClick={() => approve.mutate(d.id)}
                aria-label={t("admin.deposits.approveLabel", { reference: d.reference })}
              >
                {t("admin.approve")}
              </button>
              <button
                type="button"
                className="button button--danger"
                onClick={() => reject.mutate(d.id)}
                aria-label={t("admin.deposits.rejectLabel", { reference: d.reference })}
              >
                {t("admin.reject")}
              </button>
            </div>
          </li>
        ))}
      </ul>
      <LoadMore list={deposits} count={deposits.rows.length} />
    </AdminPage>
  );
}
