import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, formatTime } from "../../../lib/format";
import { Card, FormMessage } from "../../../lib/ui/forms";
import { adminApi } from "../api/admin";
import { AdminNav } from "./AdminNav";

/** Fiat deposit approvals: staff match a bank statement line to a request by its reference. */
export function AdminDepositsPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const deposits = useQuery({ queryKey: ["admin", "deposits"], queryFn: () => adminApi.pendingDeposits(api) });
  const done = () => queryClient.invalidateQueries({ queryKey: ["admin", "deposits"] });
  const approve = useMutation({ mutationFn: (id: string) => adminApi.approve(api, id, null), onSuccess: done });
  const reject = useMutation({
    mutationFn: (id: string) => adminApi.reject(api, id, "No matching bank transfer was received."),
    onSuccess: done,
  });
  const error = deposits.error ?? approve.error ?? reject.error;
  return (
    <Card title="AED deposits awaiting approval" wide>
      <AdminNav />
      <FormMessage message={error ? problemMessage(asProblem(error)) : null} />
      {deposits.isPending ? <p role="status">Loading…</p> : null}
      {deposits.data?.items.length === 0 ? <p className="muted">Nothing to approve.</p> : null}
      <ul className="list">
        {deposits.data?.items.map((d) => (
          <li key={d.id} className="list__row" data-deposit-reference={d.reference}>
            <div>
              <strong>{formatAmount(d.amount)} {d.asset}</strong> · reference <code>{d.reference}</code>
              <div className="muted">
                user {d.userId} · {formatTime(d.createdAt)}
              </div>
            </div>
            <div className="actions">
              <button type="button" className="button button--primary" onClick={() => approve.mutate(d.id)} aria-label={`Approve ${d.reference}`}>
                Approve
              </button>
              <button type="button" className="button button--danger" onClick={() => reject.mutate(d.id)} aria-label={`Reject ${d.reference}`}>
                Reject
              </button>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
