import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../../lib/auth/context";
import { formatAmount } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { ProblemMessage } from "../../../lib/ui/forms";
import { LoadMore } from "../../../lib/ui/LoadMore";
import { usePaged } from "../../../lib/usePaged";
import { QrCode } from "../../../lib/ui/QrCode";
import { walletApi } from "../api/wallet";
import { CHAINS } from "../hooks/chains";

/** A deposit address per asset and network (with its QR code) and the deposits seen on chain. */
export function CryptoDepositPanel() {
  const api = useApi();
  const { t, formatTime } = useI18n();
  const [choice, setChoice] = useState(0);
  const chain = CHAINS[choice] ?? CHAINS[0];
  const address = useQuery({
    queryKey: ["wallet", "address", chain.asset, chain.network],
    queryFn: () => walletApi.depositAddress(api, chain.asset, chain.network),
    staleTime: Infinity,
  });
  const deposits = usePaged({
    queryKey: ["wallet", "crypto-deposits"],
    fetchPage: (cursor) => walletApi.cryptoDeposits(api, cursor),
    keyOf: (d) => d.id,
    // confirmations arrive block by block
    refetchEvery: (rows) => (rows.some((d) => !d.creditedAt) ? 5000 : false),
  });
  return (
    <section className="card" aria-labelledby="crypto-deposit-title">
      <h2 id="crypto-deposit-title">{t("wallet.crypto.title")}</h2>
      <div className="field">
        <label htmlFor="crypto-chain">{t("wallet.crypto.chain")}</label>
        <select id="crypto-chain" value={choice} onChange={(e) => setChoice(Number(e.target.value))}>
          {CHAINS.map((c, i) => (
            <option key={`${c.asset}-${c.network}`} value={i}>
              {t("wallet.crypto.on", { asset: c.asset, network: c.network })}
            </option>
          ))}
        </select>
      </div>
      <ProblemMessage error={address.error} />
      {address.data ? (
        <div className="bank">
          <QrCode value={address.data.address} label={t("wallet.crypto.qr", { asset: chain.asset })} size={160} />
          <p>
            {t("wallet.crypto.sendOnly", { asset: chain.asset, network: chain.network })}
            <br />
            <code data-testid="deposit-address">{address.data.address}</code>
          </p>
          <p className="muted">{t("wallet.crypto.confirmationsNeeded", { count: address.data.requiredConfirmations })}</p>
        </div>
      ) : null}
      <ul className="list" aria-label={t("wallet.crypto.list")}>
        {deposits.rows.map((d) => (
          <li key={d.id} className="list__row">
            <div>
              <strong>
                {formatAmount(d.amount, 2, 18)} {d.asset}
              </strong>{" "}
              <span className="muted">{t("wallet.crypto.onNetwork", { network: d.network })}</span>
              <div className="muted">{formatTime(d.createdAt)}</div>
            </div>
            <span className="badge">
              {d.creditedAt
                ? t("wallet.crypto.credited")
                : t("wallet.crypto.confirmations", {
                    seen: Math.min(d.confirmations, d.requiredConfirmations),
                    needed: d.requiredConfirmations,
                  })}
            </span>
          </li>
        ))}
      </ul>
      <LoadMore list={deposits} label={t("wallet.crypto.list")} />
    </section>
  );
}
