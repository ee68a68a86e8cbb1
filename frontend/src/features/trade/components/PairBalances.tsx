import { Link } from "react-router";
import * as D from "../../../lib/decimal";
import type { MarketRules } from "../model/orderForm";

export interface SpotBalance {
  asset: string;
  free: string;
  locked: string;
}

/** The spot balances of the pair's two assets (free and locked in orders). */
export function PairBalances({ rules, items, signedIn }: { rules: MarketRules; items: SpotBalance[]; signedIn: boolean }) {
  const assets = [rules.baseAsset, rules.quoteAsset];
  return (
    <section className="panel balances" aria-labelledby="pair-balances-title">
      <header className="panel__head">
        <h2 id="pair-balances-title">Spot balances</h2>
        {signedIn ? <Link to="/wallet">Transfer</Link> : null}
      </header>
      {signedIn ? (
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col">Asset</th>
              <th scope="col" className="num">Free</th>
              <th scope="col" className="num">In orders</th>
            </tr>
          </thead>
          <tbody>
            {assets.map((asset) => {
              const row = items.find((b) => b.asset === asset);
              return (
                <tr key={asset} data-balance-asset={asset}>
                  <th scope="row">{asset}</th>
                  <td className="num" data-col="free">{D.format(row?.free ?? "0")}</td>
                  <td className="num" data-col="locked">{D.format(row?.locked ?? "0")}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p className="muted">Sign in to see your balances.</p>
      )}
    </section>
  );
}
