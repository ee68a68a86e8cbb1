import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { FormMessage } from "../../../lib/ui/forms";
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
  const me = useQuery({ queryKey: ["auth", "me"], queryFn: () => meApi.me(api), staleTime: 0 });
  if (me.data?.totpEnabled) return <WithdrawPanel />;
  return (
    <section className="card" aria-labelledby="withdraw-title">
      <h2 id="withdraw-title">Withdraw</h2>
      {me.isPending ? <p role="status">Loading…</p> : null}
      <FormMessage message={me.error ? problemMessage(asProblem(me.error)) : null} />
      <WithdrawLimits asset="AED" />
      {me.data ? (
        <div data-testid="withdraw-needs-2fa">
          <p>
            <strong>Step 1: enable two-factor authentication.</strong> Every withdrawal is confirmed with a code from
            your authenticator app, so 2FA must be on before you can withdraw.
          </p>
          <p>
            <Link to="/settings/2fa" className="button button--primary">
              Enable 2FA
            </Link>
          </p>
        </div>
      ) : null}
    </section>
  );
}
