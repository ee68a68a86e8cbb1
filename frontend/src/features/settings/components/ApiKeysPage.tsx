import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { asProblem, onField, problemMessage } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import { Card, Field, FormMessage, useFormErrors } from "../../../lib/ui/forms";
import { securityApi, type Scope } from "../api/security";

const SCOPES: { scope: Scope; label: string }[] = [
  { scope: "read", label: "Read (balances, orders)" },
  { scope: "trade", label: "Trade (place and cancel orders)" },
  { scope: "withdraw", label: "Withdraw (needs an IP allow-list)" },
];

export function ApiKeysPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [label, setLabel] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["read"]);
  const [ips, setIps] = useState("");
  const [totpCode, setTotpCode] = useState("");
  const errors = useFormErrors(["label", "scopes", "ipAllowList", "totpCode"]);
  const keys = useQuery({ queryKey: ["api-keys"], queryFn: () => securityApi.apiKeys(api) });
  const create = useMutation({
    mutationFn: () =>
      securityApi.createApiKey(api, {
        label: label.trim(),
        scopes,
        ipAllowList: ips.split(/[\s,]+/).filter(Boolean),
        totpCode: totpCode.trim() || null,
      }),
    onSuccess: () => {
      setLabel("");
      setTotpCode("");
      return queryClient.invalidateQueries({ queryKey: ["api-keys"] });
    },
    onError: (error) => errors.show(onField(error, "totpCode", "TOTP_")),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => securityApi.revokeApiKey(api, id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["api-keys"] }),
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    errors.clear();
    create.reset();
    create.mutate();
  };
  const toggle = (scope: Scope) =>
    setScopes((current) => (current.includes(scope) ? current.filter((s) => s !== scope) : [...current, scope]));

  return (
    <Card title="API keys" wide>
      <p>Keys let your bots call the API, signing each request with the secret (HMAC-SHA256).</p>
      {create.data ? (
        <div className="secret-once" role="status">
          <p>
            <strong>Copy the secret now: it is shown only once.</strong>
          </p>
          <dl>
            <dt>API key</dt>
            <dd>
              <code>{create.data.id}</code>
            </dd>
            <dt>Secret</dt>
            <dd>
              <code data-testid="api-key-secret">{create.data.secret}</code>
            </dd>
          </dl>
          <button type="button" className="button" onClick={() => void navigator.clipboard.writeText(create.data.secret)}>
            Copy secret
          </button>
        </div>
      ) : null}
      <form onSubmit={submit} noValidate className="form-grid">
        <Field
          label="Label"
          name="label"
          required
          maxLength={64}
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          error={errors.fieldErrors.label}
        />
        <fieldset className="field">
          <legend>Permissions</legend>
          {SCOPES.map(({ scope, label: text }) => (
            <label key={scope} className="check">
              <input type="checkbox" checked={scopes.includes(scope)} onChange={() => toggle(scope)} /> {text}
            </label>
          ))}
          {errors.fieldErrors.scopes ? <p className="field__error">{errors.fieldErrors.scopes}</p> : null}
        </fieldset>
        <Field
          label="IP allow-list (optional, comma separated)"
          name="ipAllowList"
          value={ips}
          onChange={(e) => setIps(e.target.value)}
          error={errors.fieldErrors.ipAllowList}
        />
        <Field
          label="2FA code (if two-factor authentication is on)"
          name="totpCode"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={totpCode}
          onChange={(e) => setTotpCode(e.target.value)}
          error={errors.fieldErrors.totpCode}
        />
        <FormMessage message={errors.message} />
        <button type="submit" className="button button--primary" disabled={create.isPending}>
          Create key
        </button>
      </form>
      <h2>Your keys</h2>
      <FormMessage message={revoke.error ? problemMessage(asProblem(revoke.error)) : null} />
      {keys.data?.items.length === 0 ? <p className="muted">No keys yet.</p> : null}
      <ul className="list">
        {keys.data?.items.map((k) => (
          <li key={k.id} className="list__row">
            <div>
              <strong>{k.label}</strong> <span className="muted">{k.scopes.join(", ")}</span>
              <div className="muted">
                created {formatTime(k.createdAt)}
                {k.lastUsedAt ? ` · last used ${formatTime(k.lastUsedAt)}` : " · never used"}
                {k.ipAllowList.length ? ` · ${k.ipAllowList.join(", ")}` : ""}
              </div>
            </div>
            <button type="button" className="button button--danger" onClick={() => revoke.mutate(k.id)} aria-label={`Revoke key ${k.label}`}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </Card>
  );
}
