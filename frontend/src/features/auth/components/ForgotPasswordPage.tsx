import { useMutation } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { Link } from "react-router";
import { useApi } from "../../../lib/auth/context";
import { Card, Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { authApi } from "../api/auth";
import { MailboxLink } from "./MailboxLink";

export function ForgotPasswordPage() {
  const api = useApi();
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
    <Card title="Reset your password">
      {request.isSuccess ? (
        <p role="status" className="form-message form-message--ok">
          If an account exists for {email}, we sent it a link to choose a new password.
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
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
          <FormMessage message={errors.message} />
          <button type="submit" className="button button--primary" disabled={request.isPending}>
            Send the link
          </button>
        </form>
      )}
      <p className="card__links">
        <Link to="/login">Back to sign in</Link>
      </p>
      <MailboxLink />
    </Card>
  );
}
