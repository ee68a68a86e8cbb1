import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, formatTime } from "../../../lib/format";
import { FormMessage } from "../../../lib/ui/forms";
import { adminApi } from "../api/admin";
import { AdminNav } from "./AdminNav";

type Item = Awaited<ReturnType<typeof adminApi.withdrawals>>["items"][number];

/**
 * Withdrawals waiting for staff: large ones need approval first; approved bank (fiat)
 * withdrawals are paid by the bank and then marked paid with the bank's reference.
 */
export function AdminWithdrawalsPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const pending = useQuery({ queryKey: ["admin", "withdrawals", "pending"], queryFn: () => adminApi.withdrawals(api, "PENDING_APPROVAL") });
  const queued = useQuery({ queryKey: ["admin", "withdrawals", "queued"], queryFn: () => adminApi.withdrawals(api, "QUEUED") });
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
  const error = pending.error ?? queued.error ?? approve.error ?? reject.error ?? markPaid.error;
  return (
    <section className="card card--wide" aria-labelledby="admin-withdrawals-title">
      <h1 id="admin-withdrawals-title">Withdrawals</h1>
      <AdminNav />
      <FormMessage message={error ? problemMessage(asProblem(error)) : null} />
      <h2>Awaiting approval</h2>
      <ul className="list" aria-label="Awaiting approval">
        {pending.data?.items.map((w) => (
          <li key={w.id} className="list__row" data-withdrawal={w.id}>
            <Summary w={w} />
            <div className="actions">
              <button type="button" className="button button--primary" onClick={() => approve.mutate(w.id)} aria-label={`Approve withdrawal ${w.id}`}>
                Approve
              </button>
              <button type="button" className="button button--danger" onClick={() => reject.mutate(w.id)} aria-label={`Reject withdrawal ${w.id}`}>
                Reject
              </button>
            </div>
          </li>
        ))}
        {pending.data?.items.length === 0 ? <li className="muted">Nothing to approve.</li> : null}
      </ul>
      <h2>Bank transfers to make</h2>
      <ul className="list" aria-label="Bank transfers to make">
        {queued.data?.items
          .filter((w) => w.kind === "FIAT")
          .map((w) => (
            <li key={w.id} className="list__row" data-withdrawal={w.id}>
              <Summary w={w} />
              <MarkPaid id={w.id} busy={markPaid.isPending} onPaid={(reference) => markPaid.mutate({ id: w.id, reference })} />
            </li>
          ))}
        {queued.data?.items.filter((w) => w.kind === "FIAT").length === 0 ? <li className="muted">Nothing to pay.</li> : null}
      </ul>
    </section>
  );
}

function Summary({ w }: { w: Item }) {
  return (
    <div>
      <strong>
        {formatAmount(w.amount)} {w.asset}
      </strong>{" "}
      to {w.kind === "FIAT" ? `${w.beneficiaryName ?? ""} ${w.iban ?? ""}` : `${w.address ?? ""} (${w.network ?? ""})`}
      <div className="muted">
        user {w.userId} · {formatTime(w.createdAt)} · fee {formatAmount(w.fee)}
      </div>
    </div>
  );
}

function MarkPaid({ id, busy, onPaid }: { id: string; busy: boolean; onPaid: (reference: string) => void }) {
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
        Bank reference
      </label>
      <input
        id={`ref-${id}`}
        className="input-inline"
        placeholder="Bank reference"
        value={reference}
        onChange={(e) => setReference(e.target.value)}
      />
      <button type="submit" className="button button--primary" disabled={busy || !reference.trim()}>
        Mark paid
      </button>
    </form>
  );
}
