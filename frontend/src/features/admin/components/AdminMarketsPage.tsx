import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { consoleApi } from "../api/admin";
import { pathSymbol, percentToFraction, fractionToPercent, STATUS_LABELS, type MarketStatus } from "../hooks/markets";
import { useCan } from "../hooks/useCan";
import { AdminPage } from "./AdminPage";

type Market = Awaited<ReturnType<typeof consoleApi.markets>>["items"][number];

/** Markets: status (trading / cancel-only / halted) and maker/taker fees. */
export function AdminMarketsPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const markets = useQuery({ queryKey: ["admin", "markets"], queryFn: () => consoleApi.markets(api), staleTime: 0 });
  const done = () => queryClient.invalidateQueries({ queryKey: ["admin", "markets"] });
  const status = useMutation({
    mutationFn: ({ symbol, to }: { symbol: string; to: MarketStatus }) => consoleApi.setStatus(api, pathSymbol(symbol), to),
    onSuccess: done,
  });
  const canChange = useCan("trading.admin");
  return (
    <AdminPage id="admin-markets" title="Markets" errors={[markets.error, status.error]}>
      {canChange ? null : <p className="muted">Read only: changing markets needs the admin role.</p>}
      <ul className="list" aria-label="Markets">
        {markets.data?.items.map((m) => (
          <li key={m.symbol} className="list__row" data-market={m.symbol}>
            <div>
              <strong>{m.symbol}</strong>{" "}
              <span className={`badge badge--${m.status === "TRADING" ? "approved" : "rejected"}`} data-testid="market-status">
                {STATUS_LABELS[m.status]}
              </span>
              <div className="muted">
                maker {fractionToPercent(m.makerFee)} % · taker {fractionToPercent(m.takerFee)} % · tick {m.tickSize} · min
                notional {m.minNotional}
              </div>
            </div>
            {canChange ? (
              <div className="actions">
                {m.status !== "HALTED" ? (
                  <button
                    type="button"
                    className="button button--danger"
                    disabled={status.isPending}
                    onClick={() => status.mutate({ symbol: m.symbol, to: "HALTED" })}
                    aria-label={`Halt ${m.symbol}`}
                  >
                    Halt
                  </button>
                ) : null}
                {m.status !== "CANCEL_ONLY" ? (
                  <button
                    type="button"
                    className="button"
                    disabled={status.isPending}
                    onClick={() => status.mutate({ symbol: m.symbol, to: "CANCEL_ONLY" })}
                    aria-label={`Cancel-only ${m.symbol}`}
                  >
                    Cancel-only
                  </button>
                ) : null}
                {m.status !== "TRADING" ? (
                  <button
                    type="button"
                    className="button button--primary"
                    disabled={status.isPending}
                    onClick={() => status.mutate({ symbol: m.symbol, to: "TRADING" })}
                    aria-label={`Resume ${m.symbol}`}
                  >
                    Resume
                  </button>
                ) : null}
              </div>
            ) : null}
            {canChange ? <Fees market={m} onSaved={done} /> : null}
          </li>
        ))}
      </ul>
    </AdminPage>
  );
}

function Fees({ market, onSaved }: { market: Market; onSaved: () => Promise<void> }) {
  const api = useApi();
  const [maker, setMaker] = useState(() => fractionToPercent(market.makerFee));
  const [taker, setTaker] = useState(() => fractionToPercent(market.takerFee));
  const [invalid, setInvalid] = useState(false);
  const save = useMutation({
    mutationFn: ({ makerFee, takerFee }: { makerFee: string; takerFee: string }) =>
      consoleApi.setFees(api, pathSymbol(market.symbol), makerFee, takerFee),
    onSuccess: onSaved,
  });
  const id = pathSymbol(market.symbol);
  return (
    <form
      className="toolbar"
      aria-label={`Fees of ${market.symbol}`}
      onSubmit={(e) => {
        e.preventDefault();
        const makerFee = percentToFraction(maker);
        const takerFee = percentToFraction(taker);
        setInvalid(makerFee === null || takerFee === null);
        if (makerFee !== null && takerFee !== null) save.mutate({ makerFee, takerFee });
      }}
    >
      <label htmlFor={`maker-${id}`}>Maker %</label>
      <input id={`maker-${id}`} className="input-inline" inputMode="decimal" value={maker} onChange={(e) => setMaker(e.target.value)} />
      <label htmlFor={`taker-${id}`}>Taker %</label>
      <input id={`taker-${id}`} className="input-inline" inputMode="decimal" value={taker} onChange={(e) => setTaker(e.target.value)} />
      <button type="submit" className="button" disabled={save.isPending}>
        Save fees
      </button>
      {invalid ? <p className="field__error">Fees are percentages from 0 to 10, e.g. 0.1.</p> : null}
      {save.error ? <p className="field__error" role="alert">{messageOf(save.error)}</p> : null}
      {save.isSuccess ? <p role="status" className="muted">Saved: new orders pay the new rates.</p> : null}
    </form>
  );
}

const messageOf = (error: unknown) => problemMessage(asProblem(error));
