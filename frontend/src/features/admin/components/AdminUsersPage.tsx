import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import type { MessageKey } from "../../../lib/i18n";
import { useI18n } from "../../../lib/i18nContext";
import { usePaged } from "../../../lib/usePaged";
import { consoleApi, USERS_PAGE } from "../api/admin";
import { GRANTABLE_ROLES } from "../hooks/permissions";
import { useCan } from "../hooks/useCan";
import { AdminPage } from "./AdminPage";
import { LoadMore } from "./LoadMore";

type User = Awaited<ReturnType<typeof consoleApi.users>>["items"][number];

/** A role's name in the reader's language (a role the catalogue does not know: as named). */
function useRoleName(): (role: string) => string {
  const { t } = useI18n();
  return (role) => {
    const key = `admin.role.${role}`;
    return GRANTABLE_ROLES.includes(role as (typeof GRANTABLE_ROLES)[number]) || role === "user" ? t(key as MessageKey) : role;
  };
}

/** Users by e-mail: their roles (grant/revoke, admin only) and disable/enable. */
export function AdminUsersPage() {
  const api = useApi();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState("");
  const [email, setEmail] = useState("");
  const users = usePaged({
    queryKey: ["admin", "users", email],
    fetchPage: (cursor) => consoleApi.users(api, email, cursor),
    keyOf: (u) => u.id,
  });
  const done = () => queryClient.invalidateQueries({ queryKey: ["admin", "users"] });
  const change = useMutation({ mutationFn: (call: () => Promise<User>) => call(), onSuccess: done });
  return (
    <AdminPage id="admin-users" title={t("admin.users.title")} errors={[users.error, change.error]}>
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setEmail(draft.trim());
        }}
      >
        <label htmlFor="user-search">{t("admin.users.email")}</label>
        <input
          id="user-search"
          dir="ltr"
          className="input-inline"
          type="search"
          placeholder="name@example.com"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" className="button">
          {t("admin.users.search")}
        </button>
      </form>
      {users.isPending ? <p role="status">{t("common.loading")}</p> : null}
      <ul className="list" aria-label={t("admin.users.list")}>
        {users.rows.map((u) => (
          <UserRow key={u.id} user={u} busy={change.isPending} run={(call) => change.mutate(call)} />
        ))}
        {!users.isPending && users.rows.length === 0 ? <li className="muted">{t("admin.users.none")}</li> : null}
      </ul>
      <LoadMore list={users} count={users.rows.length} pageSize={USERS_PAGE} />
    </AdminPage>
  );
}

function UserRow({ user, busy, run }: { user: User; busy: boolean; run: (call: () => Promise<User>) => void }) {
  const api = useApi();
  const { t } = useI18n();
  const roleName = useRoleName();
  const canGrant = useCan("roles.grant");
  const canDisable = useCan("users.disable");
  const missing = GRANTABLE_ROLES.filter((r) => !user.roles.includes(r));
  const [role, setRole] = useState<string>("");
  const chosen = missing.includes(role as (typeof missing)[number]) ? role : (missing[0] ?? "");
  return (
    <li className="list__row" data-user={user.email}>
      <div>
        <strong>{user.email}</strong>{" "}
        {user.disabled ? <span className="badge badge--rejected">{t("admin.users.disabled")}</span> : null}
        <div className="muted">
          {user.emailVerified ? t("admin.users.verified") : t("admin.users.notVerified")} ·{" "}
          {user.totpEnabled ? t("admin.users.totpOn") : t("admin.users.totpOff")} ·{" "}
          {t("admin.users.since", { time: formatTime(user.createdAt) })}
        </div>
        <div className="actions" role="group" aria-label={t("admin.users.roles", { email: user.email })}>
          {user.roles.map((r) => (
            <span key={r} className="badge" data-role={r}>
              {roleName(r)}
              {canGrant && r !== "user" ? (
                <button
                  type="button"
                  className="button--link"
                  disabled={busy}
                  aria-label={t("admin.users.revoke", { role: roleName(r), email: user.email })}
                  onClick={() => run(() => consoleApi.revokeRole(api, user.id, r))}
                >
                  ×
                </button>
              ) : null}
            </span>
          ))}
        </div>
      </div>
      <div className="actions">
        {canGrant && chosen ? (
          <>
            <label className="visually-hidden" htmlFor={`role-${user.id}`}>
              {t("admin.users.roleFor", { email: user.email })}
            </label>
            <select id={`role-${user.id}`} value={chosen} onChange={(e) => setRole(e.target.value)}>
              {missing.map((r) => (
                <option key={r} value={r}>
                  {roleName(r)}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button"
              disabled={busy}
              aria-label={t("admin.users.grantLabel", { email: user.email })}
              onClick={() => run(() => consoleApi.grantRole(api, user.id, chosen))}
            >
              {t("admin.users.grant")}
            </button>
          </>
        ) : null}
        {canDisable ? (
          user.disabled ? (
            <button type="button" className="button" disabled={busy} onClick={() => run(() => consoleApi.enable(api, user.id))}>
              {t("admin.users.enable")}
            </button>
          ) : (
            <button
              type="button"
              className="button button--danger"
              disabled={busy}
              onClick={() => run(() => consoleApi.disable(api, user.id))}
            >
              {t("admin.users.disable")}
            </button>
          )
        ) : null}
      </div>
    </li>
  );
}
