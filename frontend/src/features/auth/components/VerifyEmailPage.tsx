import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Link, useSearchParams } from "react-router";
import { useApi, useSession, useSessionState } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { Card, FormMessage, ProblemMessage } from "../../../lib/ui/forms";
import { authApi } from "../api/auth";

/** `/verify-email?token=…`: the link in the verification e-mail. */
export function VerifyEmailPage() {
  const api = useApi();
  const { t } = useI18n();
  const session = useSession();
  const state = useSessionState();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const sent = useRef(false);
  const verify = useMutation({
    mutationFn: () => authApi.verifyEmail(api, token),
    // a signed-in user gets a token that says the address is verified
    onSuccess: () => (session.getAccessToken() ? session.refresh() : null),
  });

  useEffect(() => {
    if (token && !sent.current) {
      sent.current = true; // once, even under StrictMode's double effects
      verify.mutate();
    }
  }, [token, verify]);

  if (!token) {
    return (
      <Card title={t("account.verify.title")}>
        <FormMessage message={t("account.reset.noToken")} />
      </Card>
    );
  }
  return (
    <Card title={t("account.verify.title")}>
      {verify.isPending || verify.isIdle ? <p role="status">{t("account.verify.verifying")}</p> : null}
      {verify.isSuccess ? (
        <>
          <p role="status" className="form-message form-message--ok">
            {t("account.verify.done")}
          </p>
          <p className="card__links">
            {state.status === "signedIn" ? (
              <Link to="/wallet">{t("account.verify.toWallet")}</Link>
            ) : (
              <Link to="/login">{t("account.verify.signIn")}</Link>
            )}
          </p>
        </>
      ) : null}
      {verify.isError ? (
        <>
          <ProblemMessage error={verify.error} />
          <p className="card__links">
            <Link to="/login">{t("account.verify.signIn")}</Link> {t("account.verify.requestNew")}
          </p>
        </>
      ) : null}
    </Card>
  );
}
