import { useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import * as D from "../../../lib/decimal";
import { useI18n } from "../../../lib/i18nContext";
import { StreamBadge } from "../../../lib/ui/StreamBadge";
import { useFavourites } from "../hooks/useFavourites";
import { tickerPrice } from "../../../lib/market/api";
import { useExchangeInfoQuery, useReferencePrices, useTickers } from "../../../lib/market/hooks";

function Change({ percent }: { percent: string }) {
  const value = D.tryParse(percent);
  const tone = !value || D.isZero(value) ? "flat" : D.isPositive(value) ? "up" : "down";
  const sign = tone === "up" ? "+" : "";
  return <span className={`change change--${tone}`}>{`${sign}${percent}%`}</span>;
}

/** The last trade price; a market that never traded shows its reference price, marked so. */
function LastPrice({ last, reference }: { last: string; reference: string | undefined }) {
  const { t } = useI18n();
  const shown = tickerPrice(last);
  if (shown !== "—" || !reference) return <>{shown}</>;
  return (
    <span title={t("markets.referenceHint")} data-reference="true">
      {tickerPrice(reference)} <span className="muted">({t("markets.reference")})</span>
    </span>
  );
}

/** The markets list: live 24h tickers, search, favourites; a row opens its trade page. */
export function MarketsPage() {
  const { t } = useI18n();
  const tickers = useTickers();
  const info = useExchangeInfoQuery();
  const references = useReferencePrices();
  const { favourites, toggle } = useFavourites();
  const [search, setSearch] = useState("");
  const [onlyFavourites, setOnlyFavourites] = useState(false);
  const navigate = useNavigate();

  const pairs = useMemo(() => {
    const map = new Map<string, { base: string; quote: string }>();
    for (const s of info.data?.symbols ?? []) map.set(s.symbol, { base: s.baseAsset, quote: s.quoteAsset });
    return map;
  }, [info.data]);

  const needle = search.trim().toUpperCase().replace(/[/\-\s]/g, "");
  const rows = (tickers.data ?? [])
    .filter((tk) => !needle || tk.symbol.includes(needle))
    .filter((tk) => !onlyFavourites || favourites.includes(tk.symbol))
    .sort((a, b) => Number(favourites.includes(b.symbol)) - Number(favourites.includes(a.symbol)));

  return (
    <section className="card card--wide markets" aria-labelledby="markets-title">
      <div className="markets__head">
        <h1 id="markets-title">{t("markets.title")}</h1>
        <StreamBadge />
      </div>
      <div className="markets__tools">
        <label className="markets__search">
          <span className="visually-hidden">{t("markets.search")}</span>
          <input
            type="search"
            placeholder={t("markets.searchPlaceholder")}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            aria-label={t("markets.search")}
          />
        </label>
        <div role="group" aria-label={t("markets.which")} className="segmented">
          <button type="button" aria-pressed={!onlyFavourites} onClick={() => setOnlyFavourites(false)}>
            {t("markets.all")}
          </button>
          <button type="button" aria-pressed={onlyFavourites} onClick={() => setOnlyFavourites(true)}>
            {t("markets.favourites")}
          </button>
        </div>
      </div>
      {tickers.isPending ? <p role="status">{t("markets.loading")}</p> : null}
      {tickers.error ? <p role="alert">{t("markets.error")}</p> : null}
      <div className="table-scroll">
        <table className="table markets__table">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">{t("markets.favourite")}</span>
              </th>
              <th scope="col">{t("markets.market")}</th>
              <th scope="col" className="num">{t("markets.last")}</th>
              <th scope="col" className="num">{t("markets.change")}</th>
              <th scope="col" className="num hide-narrow">{t("markets.high")}</th>
              <th scope="col" className="num hide-narrow">{t("markets.low")}</th>
              <th scope="col" className="num">{t("markets.volume")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((tk) => {
              const pair = pairs.get(tk.symbol);
              const label = pair ? `${pair.base}/${pair.quote}` : tk.symbol;
              const route = pair ? `/trade/${pair.base}-${pair.quote}` : `/trade/${tk.symbol}`;
              const favourite = favourites.includes(tk.symbol);
              return (
                <tr
                  key={tk.symbol}
                  data-symbol={tk.symbol}
                  className="row-link"
                  onClick={(e) => {
                    if (!(e.target as HTMLElement).closest("a,button")) void navigate(route);
                  }}
                >
                  <td>
                    <button
                      type="button"
                      className="star"
                      aria-pressed={favourite}
                      aria-label={t(favourite ? "markets.removeFavourite" : "markets.addFavourite", { market: label })}
                      onClick={() => toggle(tk.symbol)}
                    >
                      {favourite ? "★" : "☆"}
                    </button>
                  </td>
                  <th scope="row">
                    <Link to={route}>{label}</Link>
                  </th>
                  <td className="num" data-col="last">
                    <LastPrice last={tk.lastPrice} reference={references.get(tk.symbol)} />
                  </td>
                  <td className="num" data-col="change">
                    <Change percent={tk.priceChangePercent} />
                  </td>
                  <td className="num hide-narrow">{tickerPrice(tk.highPrice)}</td>
                  <td className="num hide-narrow">{tickerPrice(tk.lowPrice)}</td>
                  <td className="num" data-col="volume">{D.format(tk.volume)}</td>
                </tr>
              );
            })}
            {!tickers.isPending && rows.length === 0 ? (
              <tr>
                <td colSpan={7}>{onlyFavourites ? t("markets.noFavourites") : t("markets.noMatch")}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
