import { useMutation } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { Link } from "react-router";
import { useApi } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { Card, Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { authApi } from "../api/auth";
import { MailboxLink } from "./MailboxLink";

export function RegisterPage() {
  const api = useApi();
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const errors = useFormErrors(["email", "password", "confirm"]);
  const register = useMutation({
    mutationFn: () => authApi.register(api, { email, password }),
    onError: (error) => errors.show(error),
  });

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    errors.clear();
    if (password !== confirm) {
      setMismatch(true);
      return;
    }
    register.mutate();
  };

  if (register.isSuccess) {
    return (
      <Card title={t("auth.checkEmailTitle")}>
        <p role="status">{t("auth.checkEmail", { email })}</p>
        <p className="card__links">
          <Link to="/login">{t("auth.goToSignIn")}</Link>
        </p>
        <MailboxLink />
      </Card>
    );
  }

  return (
    <Card title={t("auth.registerTitle")}>
      <form onSubmit={submit} noValidate>
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
          autoComplete="new-password"
          required
          hint={t("auth.passwordHint")}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fieldErrors.password}
        />
        <Field
          label={t("auth.repeatPassword")}
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
        <button type="submit" className="button button--primary" disabled={register.isPending}>
          {register.isPending ? t("auth.creating") : t("auth.createAccount")}
        </button>
      </form>
      <p className="card__links">
        {t("auth.alreadyRegistered")} <Link to="/login">{t("nav.signIn")}</Link>
      </p>
      <MailboxLink />
    </Card>
  );
}
