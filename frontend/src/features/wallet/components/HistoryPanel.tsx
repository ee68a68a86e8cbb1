import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, formatTime } from "../../../lib/format";
import { FormMessage } from "../../../lib/ui/forms";
import { walletApi } from "../api/wallet";
import { ledgerRows } from "../hooks/ledgerRows";
import { WithdrawalsList } from "./WithdrawalsList";

/** The trading service names a transfer from the spot wallet's side. */
const SPOT_KIND: Record<string, string> = { in: "funding → spot", out: "spot → funding" };

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The funding ledger of one asset (filter by kind, CSV export), spot transfers, AED deposits. */
export function HistoryPanel({ assets }: { assets: string[] }) {
  const api = useApi();
  const [asset, setAsset] = useState("AED");
  const [kind, setKind] = useState<string | null>(null);
  const [kinds, setKinds] = useState<string[]>([]);
  const transactions = useQuery({
    queryKey: ["wallet", "transactions", asset, kind],
    queryFn: async () => {
      const page = await walletApi.transactions(api, asset, kind);
      if (kind === null) setKinds([...new Set(page.items.map((t) => t.kind))].sort());
      return page;
    },
    retry: false,
  });
  const spot = useQuery({ queryKey: ["wallet", "spot-transfers"], queryFn: () => walletApi.spotTransfers(api) });
  const deposits = useQuery({ queryKey: ["wallet", "deposits"], queryFn: () => walletApi.deposits(api) });
  const csv = useMutation({
    mutationFn: () => walletApi.statementCsv(api, asset, kind),
    onSuccess: (blob) => download(blob, `burency-${asset}${kind ? `-${kind}` : ""}-statement.csv`),
  });
  const options = assets.includes("AED") ? assets : ["AED", ...assets];
  const notFound = transactions.error && asProblem(transactions.error).status === 404;
  const error = (transactions.error && !notFound ? transactions.error : null) ?? csv.error;
  return (
    <section className="card card--wide" aria-labelledby="history-title">
      <div className="card__head">
        <h2 id="history-title">History</h2>
        <div className="toolbar">
          <label className="inline">
            Asset{" "}
            <select
              value={asset}
              onChange={(e) => {
                setAsset(e.target.value);
                setKind(null);
              }}
            >
              {options.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </select>
          </label>
          <label className="inline">
            Kind{" "}
            <select value={kind ?? ""} onChange={(e) => setKind(e.target.value || null)}>
              <option value="">all</option>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button" onClick={() => csv.mutate()} disabled={csv.isPending}>
            Export CSV
          </button>
        </div>
      </div>
      <FormMessage message={error ? problemMessage(asProblem(error)) : null} />
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
            {ledgerRows(transactions.data?.items ?? []).map(({ item: t, status, amount }) => (
              <tr key={t.id} className={status === "voided" ? "row--voided" : undefined}>
                <td>{formatTime(t.createdAt)}</td>
                <td>{t.kind}</td>
                <td>{status}</td>
                <td className={t.direction === "credit" ? "num num--in" : "num num--out"}>
                  {t.direction === "credit" ? "+" : "−"}
                  {formatAmount(amount)}
                </td>
                <td>{t.reference ?? t.memo ?? ""}</td>
              </tr>
            ))}
            {transactions.data?.items.length === 0 || notFound ? (
              <tr>
                <td colSpan={5} className="muted">
                  No transactions yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <h3>Spot transfers</h3>
      <ul className="list" aria-label="Spot transfers">
        {(spot.data?.items ?? []).map((t) => (
          <li key={t.transferId} className="list__row">
            <div>
              <strong>
                {formatAmount(t.amount)} {t.asset}
              </strong>{" "}
              · {SPOT_KIND[t.kind.toLowerCase()] ?? t.kind.replace(/_/g, " ").toLowerCase()}
              <div className="muted">{formatTime(t.time)}</div>
            </div>
            <span className="badge">{t.status.toLowerCase()}</span>
          </li>
        ))}
        {spot.data?.items.length === 0 ? <li className="muted">No transfers yet.</li> : null}
      </ul>
      <WithdrawalsList />
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
