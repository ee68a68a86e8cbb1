import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import { consoleApi } from "../api/admin";
import { fractionToPercent, percentToFraction } from "../hooks/markets";
import { useCan } from "../hooks/useCan";
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
  return (
    <AdminPage id="admin-marketdata" title="Market data & liquidity bot" errors={[sources.error]}>
      <h2>Sources</h2>
      <div className="table-wrap" tabIndex={0} role="group" aria-label="Market-data sources, scrollable">
        <table className="table" aria-label="Market-data sources">
          <thead>
            <tr>
              <th scope="col">Market</th>
              <th scope="col">Source</th>
              <th scope="col" className="num">Price</th>
              <th scope="col" className="num">Engine reference</th>
              <th scope="col">Updated</th>
              <th scope="col">Health</th>
            </tr>
          </thead>
          <tbody>
            {sources.data?.items.map((s) => (
              <tr key={s.symbol} data-source={s.symbol}>
                <th scope="row">{s.symbol}</th>
                <td>{s.source}</td>
                <td className="num">{s.price ?? "—"}</td>
                <td className="num">{s.engineReferencePrice ?? "—"}</td>
                <td>{s.updateTime ? formatTime(s.updateTime) : "never"}</td>
                <td>
                  {s.stale ? <span className="badge badge--rejected">stale</span> : <span className="badge badge--approved">fresh</span>}
                  {s.errors > 0 ? (
                    <span className="muted">
                      {" "}
                      {s.errors} errors ({s.consecutiveErrors} in a row){s.lastError ? `: ${s.lastError}` : ""}
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
            {sources.data?.items.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">This process runs no market-data source.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <h2>Liquidity bot</h2>
      {bot.error ? <p className="muted">{problemMessage(asProblem(bot.error))}</p> : null}
      {bot.data ? <BotPanel bot={bot.data} /> : null}
    </AdminPage>
  );
}

function BotPanel({ bot }: { bot: Bot }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const canChange = useCan("trading.admin");
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
          {bot.running ? "running" : "stopped"}
        </span>{" "}
        <span className="muted">
          account {bot.userId} · {bot.funded ? "funded" : "not funded yet"} · hedging {bot.hedging ? "on" : "off"} · spread{" "}
          {fractionToPercent(bot.params.spread)} % · {bot.params.levels} levels
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
            {bot.running ? "Stop the bot" : "Start the bot"}
          </button>
          <Tune bot={bot} onSaved={done} />
        </div>
      ) : null}
      <div className="quotes">
        {bot.markets.map((m) => (
          <div key={m.symbol} data-bot-market={m.symbol}>
            <h3>{m.symbol}</h3>
            <p className="muted">
              reference {m.quotedReference ?? "—"} · bought {m.bought} · sold {m.sold}
              {m.rejections ? ` · ${m.rejections} rejections` : ""}
              {m.lastError ? ` · ${m.lastError}` : ""}
            </p>
            <table className="table" aria-label={`Bot quotes ${m.symbol}`}>
              <thead>
                <tr>
                  <th scope="col">Side</th>
                  <th scope="col" className="num">Price</th>
                  <th scope="col" className="num">Quantity</th>
                </tr>
              </thead>
              <tbody>
                {[...m.asks].reverse().map(([price, qty]) => (
                  <tr key={`a${price}`} className="ask">
                    <td>ask</td>
                    <td className="num">{price}</td>
                    <td className="num">{qty}</td>
                  </tr>
                ))}
                {m.bids.map(([price, qty]) => (
                  <tr key={`b${price}`} className="bid">
                    <td>bid</td>
                    <td className="num">{price}</td>
                    <td className="num">{qty}</td>
                  </tr>
                ))}
                {m.bids.length + m.asks.length === 0 ? (
                  <tr>
                    <td colSpan={3} className="muted">No quotes.</td>
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
      aria-label="Tune the bot"
      onSubmit={(e) => {
        e.preventDefault();
        const s = percentToFraction(spread, "50");
        const l = /^\d+$/.test(levels.trim()) ? Number(levels.trim()) : 0;
        setInvalid(s === null || l < 1);
        if (s !== null && l >= 1) tune.mutate({ s, l });
      }}
    >
      <label htmlFor="bot-spread">Spread %</label>
      <input id="bot-spread" className="input-inline" inputMode="decimal" value={spread} onChange={(e) => setSpread(e.target.value)} />
      <label htmlFor="bot-levels">Levels</label>
      <input id="bot-levels" className="input-inline" inputMode="numeric" value={levels} onChange={(e) => setLevels(e.target.value)} />
      <button type="submit" className="button" disabled={tune.isPending}>
        Apply
      </button>
      {invalid ? <p className="field__error">Spread is a percentage from 0 to 50; levels a whole number from 1.</p> : null}
      <FormError error={tune.error} />
      {tune.isSuccess ? <p role="status" className="muted">Applied: every market requotes now.</p> : null}
    </form>
  );
}

function FormError({ error }: { error: unknown }) {
  return error ? (
    <p className="field__error" role="alert">
      {problemMessage(asProblem(error))}
    </p>
  ) : null;
}
