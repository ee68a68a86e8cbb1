import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { onField } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { Card, Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { QrCode } from "../../../lib/ui/QrCode";
import { securityApi } from "../api/security";

/** The account (`GET /api/auth/v1/me`), shared with the wallet's 2FA gate. */
const ME_KEY = ["auth", "me"] as const;

/** 2FA: enrol (QR + confirm with a code, recovery codes shown once) or turn it off. */
export function TwoFactorPage() {
  const api = useApi();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [code, setCode] = useState("");
  const [password, setPassword] = useState("");
  const errors = useFormErrors(["code", "password"]);
  const me = useQuery({ queryKey: ME_KEY, queryFn: () => securityApi.me(api), staleTime: 0 });
  const changed = () => queryClient.invalidateQueries({ queryKey: ME_KEY });
  const enroll = useMutation({
    mutationFn: () => securityApi.enroll(api),
    onError: (error) => errors.show(error),
  });
  const confirm = useMutation({
    mutationFn: () => securityApi.confirm(api, code.trim()),
    onError: (error) => errors.show(onField(error, "code", "TOTP_")),
    onSuccess: changed,
  });
  const disable = useMutation({
    mutationFn: () => securityApi.disable(api, password, code.trim()),
    onError: (error) => errors.show(onField(error, "code", "TOTP_")),
    onSuccess: () => {
      setCode("");
      setPassword("");
      return changed();
    },
  });

  if (confirm.isSuccess) {
    return (
      <Card title={t("account.2fa.onTitle")}>
        <p role="status" className="form-message form-message--ok">
          {t("account.2fa.onNow")}
        </p>
        <p>
          <strong>{t("account.2fa.recoveryTitle")}</strong> {t("account.2fa.recoveryText")}
        </p>
        <ul className="codes" aria-label={t("account.2fa.recoveryCodes")}>
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
      <Card title={t("account.2fa.setupTitle")}>
        <ol className="steps">
          <li>{t("account.2fa.step1")}</li>
          <li>{t("account.2fa.step2")}</li>
        </ol>
        <QrCode value={enroll.data.otpauthUri} label={t("account.2fa.qr")} />
        <p className="muted">
          {t("account.2fa.cannotScan")} <code data-testid="totp-secret">{enroll.data.secret}</code>
        </p>
        <form onSubmit={submit} noValidate>
          <Field
            label={t("account.2fa.code")}
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
            {t("account.2fa.turnOn")}
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
  // unknown (the account could not be read): both ways stay offered, the server decides
  const on = disable.isSuccess ? false : me.data?.totpEnabled;
  return (
    <Card title={t("account.2fa.title")}>
      <p>{t("account.2fa.intro")}</p>
      {on ? <p className="form-message form-message--ok">{t("account.2fa.isOn")}</p> : null}
      <FormMessage message={disable.isSuccess ? null : errors.message} />
      {disable.isSuccess ? <p role="status">{t("account.2fa.isOff")}</p> : null}
      {on === true ? null : (
        <button
          type="button"
          className="button button--primary"
          onClick={() => {
            errors.clear();
            enroll.mutate();
          }}
          disabled={enroll.isPending}
        >
          {t("account.2fa.setup")}
        </button>
      )}
      {on === false ? null : (
        <details className="details" open={on === true}>
          <summary>{t("account.2fa.turnOffTitle")}</summary>
          <form onSubmit={submitDisable} noValidate>
            <Field
              label={t("account.2fa.password")}
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.fieldErrors.password}
            />
            <Field
              label={t("account.2fa.code")}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={errors.fieldErrors.code}
            />
            <button type="submit" className="button button--danger" disabled={disable.isPending}>
              {t("account.2fa.turnOff")}
            </button>
          </form>
        </details>
      )}
    </Card>
  );
}
