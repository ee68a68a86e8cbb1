import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, formatTime } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { usePaged } from "../../../lib/usePaged";
import { adminApi } from "../api/admin";
import { useEmails } from "../hooks/useEmails";
import { AdminPage } from "./AdminPage";
import { LoadMore } from "./LoadMore";

type Item = Awaited<ReturnType<typeof adminApi.withdrawals>>["items"][number];

/**
 * Withdrawals waiting for staff: large ones need approval first; approved bank (fiat)
 * withdrawals are paid by the bank and then marked paid with the bank's reference.
 */
export function AdminWithdrawalsPage() {
  const api = useApi();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const pending = usePaged({
    queryKey: ["admin", "withdrawals", "pending"],
    fetchPage: (cursor) => adminApi.withdrawals(api, "PENDING_APPROVAL", cursor),
    keyOf: (w) => w.id,
  });
  const queued = usePaged({
    queryKey: ["admin", "withdrawals", "queued"],
    fetchPage: (cursor) => adminApi.withdrawals(api, "QUEUED", cursor),
    keyOf: (w) => w.id,
  });
  const emails = useEmails([...pending.rows, ...queued.rows].map((w) => w.userId));
  const done = () => queryClient.invalidateQueries({ queryKey: ["admin", "withdrawals"] });
  const approve = useMutation({ mutationFn: (id: string) => adminApi.approveWithdrawal(api, id), onSuccess: done });
  const reject = useMutation({
    mutationFn: (id: string) => adminApi.rejectWithdrawal(api, id, "Rejected by staff review."),
    onSuccess: done,
  });
  const markPaid = useMutation({
    mutationFn: ({ id, reference }: { id: string; reference: string }) => adminApi.markPaid(api, id, reference),
    onSuccess: done,
  });
  const toPay = queued.rows.filter((w) => w.kind === "FIAT");
  const errors = [pending.error, queued.error, approve.error, reject.error, markPaid.error];
  return (
    <AdminPage id="admin-withdrawals" title={t("admin.withdrawals.title")} errors={errors}>
      <h2>{t("admin.withdrawals.pending")}</h2>
      <ul className="list" aria-label={t("admin.withdrawals.pending")}>
        {pending.rows.map((w) => (
          <li key={w.id} className="list__row" data-withdrawal={w.id}>
            <Summary w={w} user={emails(w.userId)} />
            <div className="actions">
              <button
                type="button"
                className="button button--primary"
                onClick={() => approve.mutate(w.id)}
                aria-label={t("admin.withdrawals.approveLabel", { id: w.id })}
              >
                {t("admin.approve")}
              </button>
              <button
                type="button"
                className="button button--danger"
                onClick={() => reject.mutate(w.id)}
                aria-label={t("admin.withdrawals.rejectLabel", { id: w.id })}
              >
                {t("admin.reject")}
              </button>
            </div>
          </li>
        ))}
        {!pending.isPending && pending.rows.length === 0 ? <li className="muted">{t("admin.nothingToApprove")}</li> : null}
      </ul>
      <LoadMore list={pending} count={pending.rows.length} />
      <h2>{t("admin.withdrawals.toPay")}</h2>
      <ul className="list" aria-label={t("admin.withdrawals.toPay")}>
        {toPay.map((w) => (
          <li key={w.id} className="list__row" data-withdrawal={w.id}>
            <Summary w={w} user={emails(w.userId)} />
            <MarkPaid id={w.id} busy={markPaid.isPending} onPaid={(reference) => markPaid.mutate({ id: w.id, reference })} />
          </li>
        ))}
        {!queued.isPending && toPay.length === 0 ? <li className="muted">{t("admin.withdrawals.nothingToPay")}</li> : null}
      </ul>
      <LoadMore list={queued} count={queued.rows.length} />
    </AdminPage>
  );
}

function Summary({ w, user }: { w: Item; user: string }) {
  const { t } = useI18n();
  const destination = w.kind === "FIAT" ? `${w.beneficiaryName ?? ""} ${w.iban ?? ""}` : `${w.address ?? ""} (${w.network ?? ""})`;
  return (
    <div>
      <strong>
        {formatAmount(w.amount)} {w.asset}
      </strong>{" "}
      {t("admin.withdrawals.to", { destination })}
      <div className="muted">
        {t("admin.user", { user })} · {formatTime(w.createdAt)} · {t("admin.withdrawals.fee", { fee: formatAmount(w.fee) })}
      </div>
    </div>
  );
}

function MarkPaid({ id, busy, onPaid }: { id: string; busy: boolean; onPaid: (reference: string) => void }) {
  const { t } = useI18n();
  const [reference, setReference] = useState("");
  return (
    <form
      className="actions"
      onSubmit={(e) => {
        e.preventDefault();
        if (reference.trim()) onPaid(reference.trim());
      }}
    >
      <label className="visually-hidden" htmlFor={`ref-${id}`}>
        {t("admin.withdrawals.bankReference")}
      </label>
      <input
        id={`ref-${id}`}
        className="input-inline"
        placeholder={t("admin.withdrawals.bankReference")}
        value={reference}
        onChange={(e) => setReference(e.target.value)}
      />
      <button type="submit" className="button button--primary" disabled={busy || !reference.trim()}>
        {t("admin.withdrawals.markPaid")}
      </button>
    </form>
  );
}
