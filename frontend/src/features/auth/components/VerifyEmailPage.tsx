import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Link, useSearchParams } from "react-router";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi, useSession, useSessionState } from "../../../lib/auth/context";
import { Card, FormMessage } from "../../../lib/ui/forms";
import { authApi } from "../api/auth";

/** `/verify-email?token=…`: the link in the verification e-mail. */
export function VerifyEmailPage() {
  const api = useApi();
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
      <Card title="Verify your e-mail">
        <FormMessage message="This link has no token. Open the link from the e-mail again." />
      </Card>
    );
  }
  return (
    <Card title="Verify your e-mail">
      {verify.isPending || verify.isIdle ? <p role="status">Verifying your address…</p> : null}
      {verify.isSuccess ? (
        <>
          <p role="status" className="form-message form-message--ok">
            Your e-mail address is verified.
          </p>
          <p className="card__links">
            {state.status === "signedIn" ? <Link to="/wallet">Go to your wallet</Link> : <Link to="/login">Sign in</Link>}
          </p>
        </>
      ) : null}
      {verify.isError ? (
        <>
          <FormMessage message={problemMessage(asProblem(verify.error))} />
          <p className="card__links">
            <Link to="/login">Sign in</Link> to request a new link.
          </p>
        </>
      ) : null}
    </Card>
  );
}
