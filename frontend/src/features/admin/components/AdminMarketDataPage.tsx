import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { useProblemText } from "../../../lib/ui/forms";
import { consoleApi } from "../api/admin";
import { fractionToPercent, percentToFraction } from "../hooks/markets";
import { useCan } from "../hooks/useCan";
import { useEmails } from "../hooks/useEmails";
import { AdminPage } from "./AdminPage";

type Bot = Awaited<ReturnType<typeof consoleApi.bot>>;

/** Market-data sources' health and the liquidity bot (status, quotes, start/stop, tuning). */
export function AdminMarketDataPage() {
  const api = useApi();
  const sources = useQuery({
    queryKey: ["admin", "sources"],
    queryFn: () => consoleApi.sources(api),
    refetchInterval: 5_000,
  });
  const bot = useQuery({ queryKey: ["admin", "bot"], queryFn: () => consoleApi.bot(api), refetchInterval: 5_000, retry: false });
  const { t } = useI18n();
  const problemText = useProblemText();
  const table = t("admin.data.sourcesTable");
  return (
    <AdminPage id="admin-marketdata" title={t("admin.data.title")} errors={[sources.error]}>
      <h2>{t("admin.data.sources")}</h2>
      <div className="table-wrap" tabIndex={0} role="group" aria-label={t("admin.scrollable", { label: table })}>
        <table className="table" aria-label={table}>
          <thead>
            <tr>
              <th scope="col">{t("admin.data.market")}</th>
              <th scope="col">{t("admin.data.source")}</th>
              <th scope="col" className="num">
                {t("admin.data.price")}
              </th>
              <th scope="col" className="num">
                {t("admin.data.engineReference")}
              </th>
              <th scope="col">{t("admin.data.updated")}</th>
              <th scope="col">{t("admin.data.health")}</th>
            </tr>
          </thead>
          <tbody>
            {sources.data?.items.map((s) => (
              <tr key={s.symbol} data-source={s.symbol}>
                <th scope="row">{s.symbol}</th>
                <td>{s.source}</td>
                <td className="num">{s.price ?? "—"}</td>
                <td className="num">{s.engineReferencePrice ?? "—"}</td>
                <td>{s.updateTime ? formatTime(s.updateTime) : t("admin.data.never")}</td>
                <td>
                  {s.stale ? (
                    <span className="badge badge--rejected">{t("admin.data.stale")}</span>
                  ) : (
                    <span className="badge badge--approved">{t("admin.data.fresh")}</span>
                  )}
                  {s.errors > 0 ? (
                    <span className="muted">
                      {" "}
                      {t("admin.data.errors", { errors: s.errors, inARow: s.consecutiveErrors })}
                      {s.lastError ? `: ${s.lastError}` : ""}
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
            {sources.data?.items.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  {t("admin.data.noSource")}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <h2>{t("admin.bot.title")}</h2>
      {bot.error ? <p className="muted">{problemText(bot.error)}</p> : null}
      {bot.data ? <BotPanel bot={bot.data} /> : null}
    </AdminPage>
  );
}

function BotPanel({ bot }: { bot: Bot }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const canChange = useCan("trading.admin");
  const { t } = useI18n();
  const account = useEmails([bot.userId])(bot.userId);
  const done = () => queryClient.invalidateQueries({ queryKey: ["admin", "bot"] });
  const toggle = useMutation({
    mutationFn: () => (bot.running ? consoleApi.stopBot(api) : consoleApi.startBot(api)),
    onSuccess: done,
  });
  return (
    <div data-testid="bot">
      <FormError error={toggle.error} />
      <p>
        <span className={`badge badge--${bot.running ? "approved" : "rejected"}`} data-testid="bot-state">
          {bot.running ? t("admin.bot.running") : t("admin.bot.stopped")}
        </span>{" "}
        <span className="muted">
          {[
            t("admin.bot.account", { id: account }),
            bot.funded ? t("admin.bot.funded") : t("admin.bot.notFunded"),
            bot.hedging ? t("admin.bot.hedgingOn") : t("admin.bot.hedgingOff"),
            t("admin.bot.spread", { spread: fractionToPercent(bot.params.spread) }),
            t("admin.bot.levels", { levels: bot.params.levels }),
          ].join(" · ")}
        </span>
      </p>
      {canChange ? (
        <div className="toolbar">
          <button
            type="button"
            className={bot.running ? "button button--danger" : "button button--primary"}
            disabled={toggle.isPending}
            onClick={() => toggle.mutate()}
          >
            {bot.running ? t("admin.bot.stop") : t("admin.bot.start")}
          </button>
          <Tune bot={bot} onSaved={done} />
        </div>
      ) : null}
      <div className="quotes">
        {bot.markets.map((m) => (
          <div key={m.symbol} data-bot-market={m.symbol}>
            <h3>{m.symbol}</h3>
            <p className="muted">
              {t("admin.bot.quoteStats", { reference: m.quotedReference ?? "—", bought: m.bought, sold: m.sold })}
              {m.rejections ? ` · ${t("admin.bot.rejections", { count: m.rejections })}` : ""}
              {m.lastError ? ` · ${m.lastError}` : ""}
            </p>
            <table className="table" aria-label={t("admin.bot.quotes", { symbol: m.symbol })}>
              <thead>
                <tr>
                  <th scope="col">{t("admin.bot.side")}</th>
                  <th scope="col" className="num">
                    {t("admin.bot.price")}
                  </th>
                  <th scope="col" className="num">
                    {t("admin.bot.quantity")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...m.asks].reverse().map(([price, qty]) => (
                  <tr key={`a${price}`} className="ask">
                    <td>{t("admin.bot.ask")}</td>
                    <td className="num">{price}</td>
                    <td className="num">{qty}</td>
                  </tr>
                ))}
                {m.bids.map(([price, qty]) => (
                  <tr key={`b${price}`} className="bid">
                    <td>{t("admin.bot.bid")}</td>
                    <td className="num">{price}</td>
                    <td className="num">{qty}</td>
                  </tr>
                ))}
                {m.bids.length + m.asks.length === 0 ? (
                  <tr>
                    <td colSpan={3} className="muted">
                      {t("admin.bot.noQuotes")}
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
        ))}
      </div>
    </div>
  );
}

function Tune({ bot, onSaved }: { bot: Bot; onSaved: () => Promise<void> }) {
  const api = useApi();
  const { t } = useI18n();
  const [spread, setSpread] = useState(() => fractionToPercent(bot.params.spread));
  const [levels, setLevels] = useState(() => String(bot.params.levels));
  const [invalid, setInvalid] = useState(false);
  const tune = useMutation({
    mutationFn: ({ s, l }: { s: string; l: number }) => consoleApi.tuneBot(api, s, l),
    onSuccess: onSaved,
  });
  return (
    <form
      className="toolbar"
      aria-label={t("admin.bot.tune")}
      onSubmit={(e) => {
        e.preventDefault();
        const s = percentToFraction(spread, "50");
        const l = /^\d+$/.test(levels.trim()) ? Number(levels.trim()) : 0;
        setInvalid(s === null || l < 1);
        if (s !== null && l >= 1) tune.mutate({ s, l });
      }}
    >
      <label htmlFor="bot-spread">{t("admin.bot.spreadField")}</label>
      <input id="bot-spread" className="input-inline" inputMode="decimal" value={spread} onChange={(e) => setSpread(e.target.value)} />
      <label htmlFor="bot-levels">{t("admin.bot.levelsField")}</label>
      <input id="bot-levels" className="input-inline" inputMode="numeric" value={levels} onChange={(e) => setLevels(e.target.value)} />
      <button type="submit" className="button" disabled={tune.isPending}>
        {t("admin.bot.apply")}
      </button>
      {invalid ? <p className="field__error">{t("admin.bot.tuneInvalid")}</p> : null}
      <FormError error={tune.error} />
      {tune.isSuccess ? <p role="status" className="muted">{t("admin.bot.applied")}</p> : null}
    </form>
  );
}

function FormError({ error }: { error: unknown }) {
  const text = useProblemText()(error);
  return text ? (
    <p className="field__error" role="alert">
      {text}
    </p>
  ) : null;
}
