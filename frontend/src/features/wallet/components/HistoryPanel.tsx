import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { asProblem } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatAmount } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { ProblemMessage } from "../../../lib/ui/forms";
import { LoadMore } from "../../../lib/ui/LoadMore";
import { usePaged } from "../../../lib/usePaged";
import { walletApi } from "../api/wallet";
import { kindLabel, spotKindLabel, statusLabel } from "../hooks/labels";
import { ledgerRows } from "../hooks/ledgerRows";
import { WithdrawalsList } from "./WithdrawalsList";

function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The funding ledger of one asset (filter by kind, CSV export), spot transfers, withdrawals
 * and AED deposits: each list shows its first page and pages on with the API's cursor.
 */
export function HistoryPanel({ assets }: { assets: string[] }) {
  const api = useApi();
  const { t, formatTime } = useI18n();
  const [asset, setAsset] = useState("AED");
  const [kind, setKind] = useState<string | null>(null);
  const [kinds, setKinds] = useState<string[]>([]);
  const transactions = usePaged({
    queryKey: ["wallet", "transactions", asset, kind],
    fetchPage: async (cursor) => {
      const page = await walletApi.transactions(api, asset, kind, cursor);
      if (kind === null) setKinds((known) => [...new Set([...(cursor ? known : []), ...page.items.map((i) => i.kind)])].sort());
      return page;
    },
    keyOf: (item) => item.id,
    retry: false,
  });
  const spot = usePaged({
    queryKey: ["wallet", "spot-transfers"],
    fetchPage: (cursor) => walletApi.spotTransfers(api, cursor),
    keyOf: (item) => item.transferId,
  });
  const deposits = usePaged({
    queryKey: ["wallet", "deposits"],
    fetchPage: (cursor) => walletApi.deposits(api, cursor),
    keyOf: (item) => item.id,
  });
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
        <h2 id="history-title">{t("wallet.history.title")}</h2>
        <div className="toolbar">
          <label className="inline">
            {t("wallet.history.asset")}{" "}
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
            {t("wallet.history.kind")}{" "}
            <select value={kind ?? ""} onChange={(e) => setKind(e.target.value || null)}>
              <option value="">{t("wallet.history.allKinds")}</option>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {kindLabel(t, k)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button" onClick={() => csv.mutate()} disabled={csv.isPending}>
            {t("wallet.history.csv")}
          </button>
        </div>
      </div>
      <ProblemMessage error={error} />
      <div className="table-wrap">
        <table className="table" aria-label={t("wallet.history.table", { asset })} data-testid="wallet-transactions">
          <thead>
            <tr>
              <th scope="col">{t("wallet.history.time")}</th>
              <th scope="col">{t("wallet.history.kind")}</th>
              <th scope="col">{t("wallet.history.status")}</th>
              <th scope="col" className="num">{t("wallet.history.amount")}</th>
              <th scope="col">{t("wallet.history.reference")}</th>
            </tr>
          </thead>
          <tbody>
            {ledgerRows(transactions.rows).map(({ item, status, amount }) => (
              <tr key={item.id} className={status === "voided" ? "row--voided" : undefined}>
                <td>{formatTime(item.createdAt)}</td>
                <td>{kindLabel(t, item.kind)}</td>
                <td>{statusLabel(t, status)}</td>
                <td className={item.direction === "credit" ? "num num--in" : "num num--out"}>
                  {item.direction === "credit" ? "+" : "−"}
                  {formatAmount(amount)}
                </td>
                <td>{item.reference ?? item.memo ?? ""}</td>
              </tr>
            ))}
            {(!transactions.isPending && transactions.rows.length === 0) || notFound ? (
              <tr>
                <td colSpan={5} className="muted">
                  {t("wallet.history.empty")}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {notFound ? null : <LoadMore list={transactions} label={t("wallet.history.table", { asset })} />}
      <h3>{t("wallet.history.spot")}</h3>
      <ul className="list" aria-label={t("wallet.history.spot")}>
        {spot.rows.map((tr) => (
          <li key={tr.transferId} className="list__row" data-transfer-id={tr.transferId}>
            <div>
              <strong>
                {formatAmount(tr.amount)} {tr.asset}
              </strong>{" "}
              · {spotKindLabel(t, tr.kind)}
              <div className="muted">{formatTime(tr.time)}</div>
            </div>
            <span className="badge">{statusLabel(t, tr.status)}</span>
          </li>
        ))}
        {!spot.isPending && spot.rows.length === 0 ? <li className="muted">{t("wallet.history.spotEmpty")}</li> : null}
      </ul>
      <LoadMore list={spot} label={t("wallet.history.spot")} />
      <WithdrawalsList />
      <h3>{t("wallet.history.deposits")}</h3>
      <ul className="list" aria-label={t("wallet.history.deposits")}>
        {deposits.rows.map((d) => (
          <li key={d.id} className="list__row" data-deposit-reference={d.reference}>
            <div>
              <strong>{formatAmount(d.amount)} AED</strong> · <code>{d.reference}</code>
              <div className="muted">{formatTime(d.createdAt)}</div>
            </div>
            <span className={`badge badge--${d.status.toLowerCase()}`}>{statusLabel(t, d.status)}</span>
          </li>
        ))}
        {!deposits.isPending && deposits.rows.length === 0 ? <li className="muted">{t("wallet.history.depositsEmpty")}</li> : null}
      </ul>
      <LoadMore list={deposits} label={t("wallet.history.deposits")} />
    </section>
  );
}
