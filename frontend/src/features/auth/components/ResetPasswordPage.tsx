import { useMutation } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useApi } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { Card, Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { authApi } from "../api/auth";

/** `/reset-password?token=…`: the link in the password-reset e-mail. */
export function ResetPasswordPage() {
  const api = useApi();
  const { t } = useI18n();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const errors = useFormErrors(["newPassword"]);
  const reset = useMutation({
    mutationFn: () => authApi.confirmReset(api, token, password),
    onError: (error) => errors.show(error),
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    errors.clear();
    if (password !== confirm) {
      setMismatch(true);
      return;
    }
    reset.mutate();
  };
  if (reset.isSuccess) {
    return (
      <Card title={t("account.reset.doneTitle")}>
        <p role="status" className="form-message form-message--ok">
          {t("account.reset.done")}
        </p>
        <p className="card__links">
          <Link to="/login">{t("account.reset.signIn")}</Link>
        </p>
      </Card>
    );
  }
  return (
    <Card title={t("account.reset.title")}>
      {!token ? <FormMessage message={t("account.reset.noToken")} /> : null}
      <form onSubmit={submit} noValidate>
        <Field
          label={t("account.reset.newPassword")}
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fieldErrors.newPassword}
        />
        <Field
          label={t("account.reset.repeat")}
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          onChange={(e) => {
            setConfirm(e.target.value);
            setMismatch(false);
          }}
          error={mismatch ? t("auth.mismatch") : undefined}
        />
        <FormMessage message={errors.message} />
        <button type="submit" className="button button--primary" disabled={reset.isPending || !token}>
          {t("account.reset.change")}
        </button>
      </form>
    </Card>
  );
}
