import { useMutation } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useApi } from "../../../lib/auth/context";
import { Card, Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { authApi } from "../api/auth";

/** `/reset-password?token=…`: the link in the password-reset e-mail. */
export function ResetPasswordPage() {
  const api = useApi();
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
      <Card title="Password changed">
        <p role="status" className="form-message form-message--ok">
          Your password was changed and every session was signed out.
        </p>
        <p className="card__links">
          <Link to="/login">Sign in with the new password</Link>
        </p>
      </Card>
    );
  }
  return (
    <Card title="Choose a new password">
      {!token ? <FormMessage message="This link has no token. Open the link from the e-mail again." /> : null}
      <form onSubmit={submit} noValidate>
        <Field
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fieldErrors.newPassword}
        />
        <Field
          label="Repeat the new password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          onChange={(e) => {
            setConfirm(e.target.value);
            setMismatch(false);
          }}
          error={mismatch ? "The two passwords are not the same." : undefined}
        />
        <FormMessage message={errors.message} />
        <button type="submit" className="button button--primary" disabled={reset.isPending || !token}>
          Change password
        </button>
      </form>
    </Card>
  );
}
