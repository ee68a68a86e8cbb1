import { useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import * as D from "../../../lib/decimal";
import { StreamBadge } from "../../../lib/ui/StreamBadge";
import { useFavourites } from "../hooks/useFavourites";
import { tickerPrice } from "../../../lib/market/api";
import { useExchangeInfoQuery, useTickers } from "../../../lib/market/hooks";

function Change({ percent }: { percent: string }) {
  const value = D.tryParse(percent);
  const tone = !value || D.isZero(value) ? "flat" : D.isPositive(value) ? "up" : "down";
  const sign = tone === "up" ? "+" : "";
  return <span className={`change change--${tone}`}>{`${sign}${percent}%`}</span>;
}

/** The markets list: live 24h tickers, search, favourites; a row opens its trade page. */
export function MarketsPage() {
  const tickers = useTickers();
  const info = useExchangeInfoQuery();
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
    .filter((t) => !needle || t.symbol.includes(needle))
    .filter((t) => !onlyFavourites || favourites.includes(t.symbol))
    .sort((a, b) => Number(favourites.includes(b.symbol)) - Number(favourites.includes(a.symbol)));

  return (
    <section className="card card--wide markets" aria-labelledby="markets-title">
      <div className="markets__head">
        <h1 id="markets-title">Markets</h1>
        <StreamBadge />
      </div>
      <div className="markets__tools">
        <label className="markets__search">
          <span className="visually-hidden">Search markets</span>
          <input
            type="search"
            placeholder="Search: BTC, AED…"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            aria-label="Search markets"
          />
        </label>
        <div role="group" aria-label="Which markets" className="segmented">
          <button type="button" aria-pressed={!onlyFavourites} onClick={() => setOnlyFavourites(false)}>
            All
          </button>
          <button type="button" aria-pressed={onlyFavourites} onClick={() => setOnlyFavourites(true)}>
            Favourites
          </button>
        </div>
      </div>
      {tickers.isPending ? <p role="status">Loading markets…</p> : null}
      {tickers.error ? <p role="alert">The markets could not be loaded. Try again in a moment.</p> : null}
      <div className="table-scroll">
        <table className="table markets__table">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Favourite</span>
              </th>
              <th scope="col">Market</th>
              <th scope="col" className="num">Last price</th>
              <th scope="col" className="num">24h change</th>
              <th scope="col" className="num hide-narrow">24h high</th>
              <th scope="col" className="num hide-narrow">24h low</th>
              <th scope="col" className="num">24h volume</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => {
              const pair = pairs.get(t.symbol);
              const label = pair ? `${pair.base}/${pair.quote}` : t.symbol;
              const route = pair ? `/trade/${pair.base}-${pair.quote}` : `/trade/${t.symbol}`;
              const favourite = favourites.includes(t.symbol);
              return (
                <tr
                  key={t.symbol}
                  data-symbol={t.symbol}
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
                      aria-label={`${favourite ? "Remove" : "Add"} ${label} ${favourite ? "from" : "to"} favourites`}
                      onClick={() => toggle(t.symbol)}
                    >
                      {favourite ? "★" : "☆"}
                    </button>
                  </td>
                  <th scope="row">
                    <Link to={route}>{label}</Link>
                  </th>
                  <td className="num" data-col="last">{tickerPrice(t.lastPrice)}</td>
                  <td className="num" data-col="change">
                    <Change percent={t.priceChangePercent} />
                  </td>
                  <td className="num hide-narrow">{tickerPrice(t.highPrice)}</td>
                  <td className="num hide-narrow">{tickerPrice(t.lowPrice)}</td>
                  <td className="num" data-col="volume">{D.format(t.volume)}</td>
                </tr>
              );
            })}
            {!tickers.isPending && rows.length === 0 ? (
              <tr>
                <td colSpan={7}>{onlyFavourites ? "No favourites yet: tap ☆ on a market." : "No market matches."}</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
