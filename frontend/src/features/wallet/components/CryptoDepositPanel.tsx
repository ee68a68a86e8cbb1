import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatAmount, formatTime } from "../../../lib/format";
import { FormMessage } from "../../../lib/ui/forms";
import { QrCode } from "../../../lib/ui/QrCode";
import { walletApi } from "../api/wallet";
import { CHAINS } from "../hooks/chains";

/** A deposit address per asset and network (with its QR code) and the deposits seen on chain. */
export function CryptoDepositPanel() {
  const api = useApi();
  const [choice, setChoice] = useState(0);
  const chain = CHAINS[choice] ?? CHAINS[0];
  const address = useQuery({
    queryKey: ["wallet", "address", chain.asset, chain.network],
    queryFn: () => walletApi.depositAddress(api, chain.asset, chain.network),
    staleTime: Infinity,
  });
  const deposits = useQuery({
    queryKey: ["wallet", "crypto-deposits"],
    queryFn: () => walletApi.cryptoDeposits(api),
    // confirmations arrive block by block
    refetchInterval: (query) => (query.state.data?.items.some((d) => !d.creditedAt) ? 5000 : false),
  });
  return (
    <section className="card" aria-labelledby="crypto-deposit-title">
      <h2 id="crypto-deposit-title">Deposit crypto</h2>
      <div className="field">
        <label htmlFor="crypto-chain">Asset and network</label>
        <select id="crypto-chain" value={choice} onChange={(e) => setChoice(Number(e.target.value))}>
          {CHAINS.map((c, i) => (
            <option key={`${c.asset}-${c.network}`} value={i}>
              {c.asset} on {c.network}
            </option>
          ))}
        </select>
      </div>
      <FormMessage message={address.error ? problemMessage(asProblem(address.error)) : null} />
      {address.data ? (
        <div className="bank">
          <QrCode value={address.data.address} label={`QR code of your ${chain.asset} deposit address`} size={160} />
          <p>
            Send only {chain.asset} on the {chain.network} network to:
            <br />
            <code data-testid="deposit-address">{address.data.address}</code>
          </p>
          <p className="muted">Credited after {address.data.requiredConfirmations} confirmations.</p>
        </div>
      ) : null}
      <ul className="list" aria-label="Crypto deposits">
        {(deposits.data?.items ?? []).map((d) => (
          <li key={d.id} className="list__row">
            <div>
              <strong>
                {formatAmount(d.amount, 2, 18)} {d.asset}
              </strong>{" "}
              <span className="muted">on {d.network}</span>
              <div className="muted">{formatTime(d.createdAt)}</div>
            </div>
            <span className="badge">
              {d.creditedAt
                ? "credited"
                : `${Math.min(d.confirmations, d.requiredConfirmations)}/${d.requiredConfirmations} confirmations`}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
