import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, formatTime } from "../../../lib/format";
import { FormMessage } from "../../../lib/ui/forms";
import { walletApi } from "../api/wallet";

/** The funding wallet's ledger for one asset, newest first, and the AED deposit requests. */
export function HistoryPanel({ assets }: { assets: string[] }) {
  const api = useApi();
  const [asset, setAsset] = useState("AED");
  const transactions = useQuery({
    queryKey: ["wallet", "transactions", asset],
    queryFn: () => walletApi.transactions(api, asset),
    retry: false,
  });
  const deposits = useQuery({ queryKey: ["wallet", "deposits"], queryFn: () => walletApi.deposits(api) });
  const options = assets.includes("AED") ? assets : ["AED", ...assets];
  const notFound = transactions.error && asProblem(transactions.error).status === 404;
  return (
    <section className="card card--wide" aria-labelledby="history-title">
      <div className="card__head">
        <h2 id="history-title">History</h2>
        <label className="inline">
          Asset{" "}
          <select value={asset} onChange={(e) => setAsset(e.target.value)}>
            {options.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
      </div>
      <FormMessage message={transactions.error && !notFound ? problemMessage(asProblem(transactions.error)) : null} />
      <div className="table-wrap">
        <table className="table" aria-label={`${asset} transactions`}>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">Amount</th>
              <th scope="col">Reference</th>
            </tr>
          </thead>
          <tbody>
            {(transactions.data?.items ?? []).map((t) => (
              <tr key={t.id}>
                <td>{formatTime(t.createdAt)}</td>
                <td>{t.kind.replace(/_/g, " ")}</td>
                <td>{t.status.toLowerCase()}</td>
                <td className={t.direction === "credit" ? "num num--in" : "num num--out"}>
                  {t.direction === "credit" ? "+" : "−"}
                  {formatAmount(t.amount)}
                </td>
                <td>{t.reference ?? t.memo ?? ""}</td>
              </tr>
            ))}
            {transactions.data?.items.length === 0 || notFound ? (
              <tr>
                <td colSpan={5} className="muted">No transactions yet.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <h3>AED deposit requests</h3>
      <ul className="list">
        {(deposits.data?.items ?? []).map((d) => (
          <li key={d.id} className="list__row" data-deposit-reference={d.reference}>
            <div>
              <strong>{formatAmount(d.amount)} AED</strong> · <code>{d.reference}</code>
              <div className="muted">{formatTime(d.createdAt)}</div>
            </div>
            <span className={`badge badge--${d.status.toLowerCase()}`}>{d.status.toLowerCase()}</span>
          </li>
        ))}
        {deposits.data?.items.length === 0 ? <li className="muted">No deposit requests.</li> : null}
      </ul>
    </section>
  );
}
