import { Link } from "react-router";
import * as D from "../../../lib/decimal";
import { useI18n } from "../../../lib/i18nContext";
import type { MarketRules } from "../model/orderForm";

export interface SpotBalance {
  asset: string;
  free: string;
  locked: string;
}

/** The spot balances of the pair's two assets (free and locked in orders). */
export function PairBalances({ rules, items, signedIn }: { rules: MarketRules; items: SpotBalance[]; signedIn: boolean }) {
  const { t } = useI18n();
  const assets = [rules.baseAsset, rules.quoteAsset];
  return (
    <section className="panel balances" aria-labelledby="pair-balances-title">
      <header className="panel__head">
        <h2 id="pair-balances-title">{t("trade.balances.title")}</h2>
        {signedIn ? <Link to="/wallet">{t("trade.balances.transfer")}</Link> : null}
      </header>
      {signedIn ? (
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col">{t("trade.balances.asset")}</th>
              <th scope="col" className="num">{t("trade.balances.free")}</th>
              <th scope="col" className="num">{t("trade.balances.locked")}</th>
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
        <p className="muted">{t("trade.balances.signIn")}</p>
      )}
    </section>
  );
}
