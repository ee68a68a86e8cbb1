import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { ProblemMessage } from "../../../lib/ui/forms";
import { meApi } from "../api/wallet";
import { WithdrawLimits } from "./WithdrawLimits";
import { WithdrawPanel } from "./WithdrawPanel";

/**
 * Withdrawals need a 2FA code, so a user without 2FA is shown the step to take first
 * (set it up) instead of a form they cannot complete. Read afresh on every visit: the
 * user may have just turned 2FA on in settings.
 */
export function WithdrawGate() {
  const api = useApi();
  const { t } = useI18n();
  const me = useQuery({ queryKey: ["auth", "me"], queryFn: () => meApi.me(api), staleTime: 0 });
  if (me.data?.totpEnabled) return <WithdrawPanel />;
  return (
    <section className="card" aria-labelledby="withdraw-title">
      <h2 id="withdraw-title">{t("wallet.withdraw.title")}</h2>
      {me.isPending ? <p role="status">{t("wallet.withdraw.loading")}</p> : null}
      <ProblemMessage error={me.error} />
      <WithdrawLimits asset="AED" />
      {me.data ? (
        <div data-testid="withdraw-needs-2fa">
          <p>
            <strong>{t("wallet.withdraw.step1")}</strong> {t("wallet.withdraw.step1Why")}
          </p>
          <p>
            <Link to="/settings/2fa" className="button button--primary">
              {t("wallet.withdraw.enable2fa")}
            </Link>
          </p>
        </div>
      ) : null}
    </section>
  );
}
