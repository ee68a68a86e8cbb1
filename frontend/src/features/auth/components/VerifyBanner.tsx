import { useMutation } from "@tanstack/react-query";
import { useApi, useSessionState } from "../../../lib/auth/context";
import { authApi } from "../api/auth";
import { MailboxLink } from "./MailboxLink";

/** Shown to a signed-in user whose e-mail address is not verified yet. */
export function VerifyBanner() {
  const api = useApi();
  const state = useSessionState();
  const resend = useMutation({ mutationFn: () => authApi.resendVerification(api, state.email ?? "") });
  if (state.status !== "signedIn" || !state.claims || state.claims.emailVerified) return null;
  return (
    <div className="banner" role="status">
      Verify your e-mail address to deposit, trade and withdraw: open the link we sent you.{" "}
      {state.email ? (
        <button type="button" className="button button--link" onClick={() => resend.mutate()} disabled={resend.isPending}>
          {resend.isSuccess ? "Sent again" : "Send the link again"}
        </button>
      ) : null}
      <MailboxLink />
    </div>
  );
}
