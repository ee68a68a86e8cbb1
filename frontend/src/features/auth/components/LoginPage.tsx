import { useMutation } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { ApiError, onField, problemMessage } from "../../../lib/api/problem";
import { useApi, useSession, useSessionState } from "../../../lib/auth/context";
import { SIGNED_OUT } from "../../../lib/auth/session";
import { Card, Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { authApi } from "../api/auth";
import { MailboxLink } from "./MailboxLink";

export function LoginPage() {
  const api = useApi();
  const session = useSession();
  const state = useSessionState();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [totpCode, setTotpCode] = useState("");
  const [needsCode, setNeedsCode] = useState(false);
  const errors = useFormErrors(["email", "password", "totpCode"]);
  const from = (location.state as { from?: string } | null)?.from ?? "/wallet";

  const login = useMutation({
    mutationFn: () => authApi.login(api, { email, password, totpCode: needsCode ? totpCode : null }),
    onSuccess: (tokens) => {
      session.signIn(tokens, email);
      void navigate(from, { replace: true });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === "TOTP_REQUIRED" && !needsCode) {
        setNeedsCode(true);
        errors.clear();
        return;
      }
      errors.show(onField(error, "totpCode", "TOTP_"));
    },
  });

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    errors.clear();
    login.mutate();
  };

  const ended =
    state.endedBecause && state.endedBecause !== SIGNED_OUT
      ? problemMessage({ status: 401, code: state.endedBecause })
      : null;

  return (
    <Card title={needsCode ? "Two-factor authentication" : "Sign in"}>
      <FormMessage message={ended} />
      <form onSubmit={submit} noValidate>
        {needsCode ? (
          <>
            <p>Enter the 6-digit code from your authenticator app, or a recovery code.</p>
            <Field
              key="totpCode" // a new input (not the e-mail's, reused), so autoFocus applies
              label="Authentication code"
              name="totpCode"
              inputMode="numeric"
              autoComplete="one-time-code"
              autoFocus
              required
              value={totpCode}
              onChange={(e) => setTotpCode(e.target.value)}
              error={errors.fieldErrors.totpCode}
            />
          </>
        ) : (
          <>
            <Field
              label="E-mail address"
              name="email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={errors.fieldErrors.email}
            />
            <Field
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.fieldErrors.password}
            />
          </>
        )}
        <FormMessage message={errors.message} />
        <button type="submit" className="button button--primary" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : needsCode ? "Verify and sign in" : "Sign in"}
        </button>
        {needsCode ? (
          <button
            type="button"
            className="button button--link"
            onClick={() => {
              setNeedsCode(false);
              setTotpCode("");
              errors.clear();
            }}
          >
            Back
          </button>
        ) : null}
      </form>
      <p className="card__links">
        <Link to="/forgot-password">Forgot your password?</Link> · New here?{" "}
        <Link to="/register">Create an account</Link>
      </p>
      <MailboxLink />
    </Card>
  );
}
