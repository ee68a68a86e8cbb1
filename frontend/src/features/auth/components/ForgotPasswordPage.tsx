import { useMutation } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { Link } from "react-router";
import { useApi } from "../../../lib/auth/context";
import { useI18n } from "../../../lib/i18nContext";
import { Card, Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { authApi } from "../api/auth";
import { MailboxLink } from "./MailboxLink";

export function ForgotPasswordPage() {
  const api = useApi();
  const { t } = useI18n();
  const [email, setEmail] = useState("");
  const errors = useFormErrors(["email"]);
  const request = useMutation({
    mutationFn: () => authApi.requestReset(api, email),
    onError: (error) => errors.show(error),
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    errors.clear();
    request.mutate();
  };
  return (
    <Card title={t("account.forgot.title")}>
      {request.isSuccess ? (
        <p role="status" className="form-message form-message--ok">
          {t("account.forgot.sent", { email })}
        </p>
      ) : (
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
          <FormMessage message={errors.message} />
          <button type="submit" className="button button--primary" disabled={request.isPending}>
            {t("account.forgot.send")}
          </button>
        </form>
      )}
      <p className="card__links">
        <Link to="/login">{t("account.forgot.back")}</Link>
      </p>
      <MailboxLink />
    </Card>
  );
}
