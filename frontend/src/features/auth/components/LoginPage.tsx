import { useMutation } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { ApiError, onField, problemMessage } from "../../../lib/api/problem";
import { useApi, useSession, useSessionState } from "../../../lib/auth/context";
import { SIGNED_OUT } from "../../../lib/auth/session";
import { useI18n } from "../../../lib/i18nContext";
import { Card, Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { authApi } from "../api/auth";
import { MailboxLink } from "./MailboxLink";

export function LoginPage() {
  const api = useApi();
  const session = useSession();
  const state = useSessionState();
  const navigate = useNavigate();
  const location = useLocation();
  const { t, language } = useI18n();
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
      ? problemMessage({ status: 401, code: state.endedBecause }, language)
      : null;

  return (
    <Card title={needsCode ? t("auth.twoFactorTitle") : t("auth.signInTitle")}>
      <FormMessage message={ended} />
      <form onSubmit={submit} noValidate>
        {needsCode ? (
          <>
            <p>{t("auth.codePrompt")}</p>
            <Field
              key="totpCode" // a new input (not the e-mail's, reused), so autoFocus applies
              label={t("auth.code")}
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
              label={t("auth.email")}
              name="email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={errors.fieldErrors.email}
            />
            <Field
              label={t("auth.password")}
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
          {login.isPending ? t("auth.signingIn") : needsCode ? t("auth.verifyAndSignIn") : t("auth.signInButton")}
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
            {t("auth.back")}
          </button>
        ) : null}
      </form>
      <p className="card__links">
        <Link to="/forgot-password">{t("auth.forgot")}</Link> · {t("auth.newHere")}{" "}
        <Link to="/register">{t("auth.createAccountLink")}</Link>
      </p>
      <MailboxLink />
    </Card>
  );
}
