import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { useProblemText } from "../../../lib/ui/forms";
import { consoleApi } from "../api/admin";
import { pathSymbol, percentToFraction, fractionToPercent, type MarketStatus } from "../hooks/markets";
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
  const { t } = useI18n();
  return (
    <AdminPage id="admin-markets" title={t("admin.markets.title")} errors={[markets.error, status.error]}>
      {canChange ? null : <p className="muted">{t("admin.markets.readOnly")}</p>}
      <ul className="list" aria-label={t("admin.markets.list")}>
        {markets.data?.items.map((m) => (
          <li key={m.symbol} className="list__row" data-market={m.symbol}>
            <div>
              <strong>{m.symbol}</strong>{" "}
              <span className={`badge badge--${m.status === "TRADING" ? "approved" : "rejected"}`} data-testid="market-status">
                {t(`admin.markets.status.${m.status}`)}
              </span>
              <div className="muted">
                {t("admin.markets.terms", {
                  maker: fractionToPercent(m.makerFee),
                  taker: fractionToPercent(m.takerFee),
                  tick: m.tickSize,
                  minNotional: m.minNotional,
                })}
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
                    aria-label={t("admin.markets.haltLabel", { symbol: m.symbol })}
                  >
                    {t("admin.markets.halt")}
                  </button>
                ) : null}
                {m.status !== "CANCEL_ONLY" ? (
                  <button
                    type="button"
                    className="button"
                    disabled={status.isPending}
                    onClick={() => status.mutate({ symbol: m.symbol, to: "CANCEL_ONLY" })}
                    aria-label={t("admin.markets.cancelOnlyLabel", { symbol: m.symbol })}
                  >
                    {t("admin.markets.cancelOnly")}
                  </button>
                ) : null}
                {m.status !== "TRADING" ? (
                  <button
                    type="button"
                    className="button button--primary"
                    disabled={status.isPending}
                    onClick={() => status.mutate({ symbol: m.symbol, to: "TRADING" })}
                    aria-label={t("admin.markets.resumeLabel", { symbol: m.symbol })}
                  >
                    {t("admin.markets.resume")}
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
  const { t } = useI18n();
  const messageOf = useProblemText();
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
      aria-label={t("admin.markets.fees", { symbol: market.symbol })}
      onSubmit={(e) => {
        e.preventDefault();
        const makerFee = percentToFraction(maker);
        const takerFee = percentToFraction(taker);
        setInvalid(makerFee === null || takerFee === null);
        if (makerFee !== null && takerFee !== null) save.mutate({ makerFee, takerFee });
      }}
    >
      <label htmlFor={`maker-${id}`}>{t("admin.markets.maker")}</label>
      <input id={`maker-${id}`} className="input-inline" inputMode="decimal" value={maker} onChange={(e) => setMaker(e.target.value)} />
      <label htmlFor={`taker-${id}`}>{t("admin.markets.taker")}</label>
      <input id={`taker-${id}`} className="input-inline" inputMode="decimal" value={taker} onChange={(e) => setTaker(e.target.value)} />
      <button type="submit" className="button" disabled={save.isPending}>
        {t("admin.markets.saveFees")}
      </button>
      {invalid ? <p className="field__error">{t("admin.markets.feesInvalid")}</p> : null}
      {save.error ? <p className="field__error" role="alert">{messageOf(save.error)}</p> : null}
      {save.isSuccess ? <p role="status" className="muted">{t("admin.markets.feesSaved")}</p> : null}
    </form>
  );
}
