import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, formatTime } from "../../../lib/format";
import { FormMessage } from "../../../lib/ui/forms";
import { walletApi } from "../api/wallet";

const CANCELLABLE = new Set(["PENDING_APPROVAL", "QUEUED"]);

export function WithdrawalsList() {
  const api = useApi();
  const queryClient = useQueryClient();
  const withdrawals = useQuery({ queryKey: ["wallet", "withdrawals"], queryFn: () => walletApi.withdrawals(api) });
  const cancel = useMutation({
    mutationFn: (id: string) => walletApi.cancelWithdrawal(api, id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["wallet"] }),
  });
  return (
    <>
      <h3>Withdrawals</h3>
      <FormMessage message={cancel.error ? problemMessage(asProblem(cancel.error)) : null} />
      <ul className="list" aria-label="Withdrawals">
        {(withdrawals.data?.items ?? []).map((w) => (
          <li key={w.id} className="list__row" data-withdrawal={w.id}>
            <div>
              <strong>
                {formatAmount(w.amount)} {w.asset}
              </strong>{" "}
              · {w.iban ?? w.address ?? ""} <span className="muted">(fee {formatAmount(w.fee)})</span>
              <div className="muted">
                {formatTime(w.createdAt)}
                {w.bankReference ? ` · bank reference ${w.bankReference}` : ""}
                {w.reason ? ` · ${w.reason}` : ""}
              </div>
            </div>
            <div className="actions">
              <span className={`badge badge--${w.status.toLowerCase()}`}>{w.status.replace(/_/g, " ").toLowerCase()}</span>
              {CANCELLABLE.has(w.status) ? (
                <button type="button" className="button" onClick={() => cancel.mutate(w.id)} aria-label={`Cancel withdrawal of ${w.amount} ${w.asset}`}>
                  Cancel
                </button>
              ) : null}
            </div>
          </li>
        ))}
        {withdrawals.data?.items.length === 0 ? <li className="muted">No withdrawals.</li> : null}
      </ul>
    </>
  );
}
