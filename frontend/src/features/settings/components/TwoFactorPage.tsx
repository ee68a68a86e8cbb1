import { useMutation } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { onField } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { Card, Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { QrCode } from "../../../lib/ui/QrCode";
import { securityApi } from "../api/security";

/** 2FA: enrol (QR + confirm with a code, recovery codes shown once) or turn it off. */
export function TwoFactorPage() {
  const api = useApi();
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const errors = useFormErrors(["code", "password"]);
  const enroll = useMutation({
    mutationFn: () => securityApi.enroll(api),
    onError: (error) => errors.show(error),
  });
  const confirm = useMutation({
    mutationFn: () => securityApi.confirm(api, code.trim()),
    onError: (error) => errors.show(onField(error, "code", "TOTP_")),
  });
  const disable = useMutation({
    mutationFn: () => securityApi.disable(api, password, code.trim()),
    onError: (error) => errors.show(onField(error, "code", "TOTP_")),
    onSuccess: () => {
      setCode("");
      setPassword("");
    },
  });

  if (confirm.isSuccess) {
    return (
      <Card title="Two-factor authentication is on">
        <p role="status" className="form-message form-message--ok">
          From now on, signing in asks for a code from your authenticator app.
        </p>
        <p>
          <strong>Recovery codes.</strong> Each works once if you lose your phone. Store them somewhere safe: they are
          shown only now.
        </p>
        <ul className="codes" aria-label="Recovery codes">
          {confirm.data.recoveryCodes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
      </Card>
    );
  }

  if (enroll.data) {
    const submit = (event: SubmitEvent) => {
      event.preventDefault();
      errors.clear();
      confirm.mutate();
    };
    return (
      <Card title="Set up two-factor authentication">
        <ol className="steps">
          <li>Scan this code with an authenticator app (Google Authenticator, 1Password, Aegis…).</li>
          <li>Enter the 6-digit code it shows.</li>
        </ol>
        <QrCode value={enroll.data.otpauthUri} label="QR code of your authenticator secret" />
        <p className="muted">
          Cannot scan? Enter this key by hand: <code data-testid="totp-secret">{enroll.data.secret}</code>
        </p>
        <form onSubmit={submit} noValidate>
          <Field
            label="Code from the app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={errors.fieldErrors.code}
          />
          <FormMessage message={errors.message} />
          <button type="submit" className="button button--primary" disabled={confirm.isPending}>
            Turn on
          </button>
        </form>
      </Card>
    );
  }

  const submitDisable = (event: SubmitEvent) => {
    event.preventDefault();
    errors.clear();
    disable.mutate();
  };
  return (
    <Card title="Two-factor authentication">
      <p>
        Protect your account with a code from an authenticator app, asked at every sign-in and before withdrawals.
      </p>
      <FormMessage message={disable.isSuccess ? null : errors.message} />
      {disable.isSuccess ? <p role="status">Two-factor authentication is off.</p> : null}
      <button
        type="button"
        className="button button--primary"
        onClick={() => {
          errors.clear();
          enroll.mutate();
        }}
        disabled={enroll.isPending}
      >
        Set up two-factor authentication
      </button>
      <details className="details">
        <summary>Turn two-factor authentication off</summary>
        <form onSubmit={submitDisable} noValidate>
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors.fieldErrors.password}
          />
          <Field
            label="Code from the app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={errors.fieldErrors.code}
          />
          <button type="submit" className="button button--danger" disabled={disable.isPending}>
            Turn off
          </button>
        </form>
      </details>
    </Card>
  );
}
