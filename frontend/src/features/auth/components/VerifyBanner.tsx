import { useMutation } from "@tanstack/react-query";
import { useApi, useSessionState } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { authApi } from "../api/auth";
import { MailboxLink } from "./MailboxLink";

/** Shown to a signed-in user whose e-mail address is not verified yet. */
export function VerifyBanner() {
  const api = useApi();
  const { t } = useI18n();
  const state = useSessionState();
  const resend = useMutation({ mutationFn: () => authApi.resendVerification(api, state.email ?? "") });
  if (state.status !== "signedIn" || !state.claims || state.claims.emailVerified) return null;
  return (
    <div className="banner" role="status">
      {t("account.banner.verify")}{" "}
      {state.email ? (
        <button type="button" className="button button--link" onClick={() => resend.mutate()} disabled={resend.isPending}>
          {resend.isSuccess ? t("account.banner.sentAgain") : t("account.banner.sendAgain")}
        </button>
      ) : null}
      <MailboxLink />
    </div>
  );
}
