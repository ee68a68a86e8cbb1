import { useMutation } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { Link } from "react-router";
import { useApi } from "../../../lib/auth/context";
import { Card, Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { authApi } from "../api/auth";
import { MailboxLink } from "./MailboxLink";

export function RegisterPage() {
  const api = useApi();
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
      <Card title="Check your e-mail">
        <p role="status">
          We sent a link to <strong>{email}</strong>. Open it to verify your address, then sign in.
        </p>
        <p className="card__links">
          <Link to="/login">Go to sign in</Link>
        </p>
        <MailboxLink />
      </Card>
    );
  }

  return (
    <Card title="Create your account">
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
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          hint="At least 10 characters; avoid common passwords."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.fieldErrors.password}
        />
        <Field
          label="Repeat the password"
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
        <button type="submit" className="button button--primary" disabled={register.isPending}>
          {register.isPending ? "Creating…" : "Create account"}
        </button>
      </form>
      <p className="card__links">
        Already registered? <Link to="/login">Sign in</Link>
      </p>
      <MailboxLink />
    </Card>
  );
}
