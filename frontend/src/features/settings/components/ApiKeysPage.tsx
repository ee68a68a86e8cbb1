import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";
import { onField } from "../../../lib/api/problem";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { Card, Field, FormMessage, ProblemMessage, useFormErrors } from "../../../lib/ui/forms";
import { securityApi, type Scope } from "../api/security";

const SCOPES: readonly Scope[] = ["read", "trade", "withdraw"];
const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s);

export function ApiKeysPage() {
  const api = useApi();
  const { t, language } = useI18n();
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
    <Card title={t("account.keys.title")} wide>
      <p>{t("account.keys.intro")}</p>
      {create.data ? (
        <div className="secret-once" role="status">
          <p>
            <strong>{t("account.keys.copyNow")}</strong>
          </p>
          <dl>
            <dt>{t("account.keys.key")}</dt>
            <dd>
              <code>{create.data.id}</code>
            </dd>
            <dt>{t("account.keys.secret")}</dt>
            <dd>
              <code data-testid="api-key-secret">{create.data.secret}</code>
            </dd>
          </dl>
          <button type="button" className="button" onClick={() => void navigator.clipboard.writeText(create.data.secret)}>
            {t("account.keys.copy")}
          </button>
        </div>
      ) : null}
      <form onSubmit={submit} noValidate className="form-grid">
        <Field
          label={t("account.keys.label")}
          name="label"
          required
          maxLength={64}
          value={label}
          onChange={(e) => setLabel(e.target.value)}
          error={errors.fieldErrors.label}
        />
        <fieldset className="field">
          <legend>{t("account.keys.permissions")}</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="check">
              <input type="checkbox" checked={scopes.includes(scope)} onChange={() => toggle(scope)} />{" "}
              {t(`account.keys.scope.${scope}`)}
            </label>
          ))}
          {errors.fieldErrors.scopes ? <p className="field__error">{errors.fieldErrors.scopes}</p> : null}
        </fieldset>
        <Field
          label={t("account.keys.ips")}
          name="ipAllowList"
          value={ips}
          onChange={(e) => setIps(e.target.value)}
          error={errors.fieldErrors.ipAllowList}
        />
        <Field
          label={t("account.keys.totp")}
          name="totpCode"
          inputMode="numeric"
          autoComplete="one-time-code"
          value={totpCode}
          onChange={(e) => setTotpCode(e.target.value)}
          error={errors.fieldErrors.totpCode}
        />
        <FormMessage message={errors.message} />
        <button type="submit" className="button button--primary" disabled={create.isPending}>
          {t("account.keys.create")}
        </button>
      </form>
      <h2>{t("account.keys.yours")}</h2>
      <ProblemMessage error={revoke.error ?? keys.error} />
      {keys.data?.items.length === 0 ? <p className="muted">{t("account.keys.none")}</p> : null}
      <ul className="list">
        {keys.data?.items.map((k) => (
          <li key={k.id} className="list__row">
            <div>
              <strong>{k.label}</strong>{" "}
              <span className="muted">
                {k.scopes.map((s) => (isScope(s) ? t(`account.keys.scope.${s}`) : s)).join(language === "ar" ? "، " : ", ")}
              </span>
              <div className="muted">
                {[
                  t("account.keys.created", { time: formatTime(k.createdAt) }),
                  k.lastUsedAt ? t("account.keys.lastUsed", { time: formatTime(k.lastUsedAt) }) : t("account.keys.neverUsed"),
                  ...(k.ipAllowList.length ? [k.ipAllowList.join(", ")] : []),
                ].join(" · ")}
              </div>
            </div>
            <button
              type="button"
              className="button button--danger"
              onClick={() => revoke.mutate(k.id)}
              aria-label={t("account.keys.revokeLabel", { label: k.label })}
            >
              {t("account.keys.revoke")}
            </button>
          </li>
        ))}
      </ul>
    </Card>
  );
}
