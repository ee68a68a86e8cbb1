import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import { consoleApi } from "../api/admin";
import { GRANTABLE_ROLES } from "../hooks/permissions";
import { useCan } from "../hooks/useCan";
import { AdminPage } from "./AdminPage";

type User = Awaited<ReturnType<typeof consoleApi.users>>["items"][number];

/** Users by e-mail: their roles (grant/revoke, admin only) and disable/enable. */
export function AdminUsersPage() {
  const api = useApi();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState("");
  const [email, setEmail] = useState("");
  const users = useQuery({ queryKey: ["admin", "users", email], queryFn: () => consoleApi.users(api, email) });
  const done = () => queryClient.invalidateQueries({ queryKey: ["admin", "users"] });
  const change = useMutation({ mutationFn: (call: () => Promise<User>) => call(), onSuccess: done });
  return (
    <AdminPage id="admin-users" title="Users" errors={[users.error, change.error]}>
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setEmail(draft.trim());
        }}
      >
        <label htmlFor="user-search">E-mail</label>
        <input
          id="user-search"
          className="input-inline"
          type="search"
          placeholder="name@example.com"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" className="button">
          Search
        </button>
      </form>
      {users.isPending ? <p role="status">Loading…</p> : null}
      <ul className="list" aria-label="Users">
        {users.data?.items.map((u) => (
          <UserRow key={u.id} user={u} busy={change.isPending} run={(call) => change.mutate(call)} />
        ))}
        {users.data?.items.length === 0 ? <li className="muted">No user matches.</li> : null}
      </ul>
    </AdminPage>
  );
}

function UserRow({ user, busy, run }: { user: User; busy: boolean; run: (call: () => Promise<User>) => void }) {
  const api = useApi();
  const canGrant = useCan("roles.grant");
  const canDisable = useCan("users.disable");
  const missing = GRANTABLE_ROLES.filter((r) => !user.roles.includes(r));
  const [role, setRole] = useState<string>("");
  const chosen = missing.includes(role as (typeof missing)[number]) ? role : (missing[0] ?? "");
  return (
    <li className="list__row" data-user={user.email}>
      <div>
        <strong>{user.email}</strong> {user.disabled ? <span className="badge badge--rejected">disabled</span> : null}
        <div className="muted">
          {user.emailVerified ? "verified" : "not verified"} · 2FA {user.totpEnabled ? "on" : "off"} · since{" "}
          {formatTime(user.createdAt)}
        </div>
        <div className="actions" aria-label={`Roles of ${user.email}`}>
          {user.roles.map((r) => (
            <span key={r} className="badge" data-role={r}>
              {r}
              {canGrant && r !== "user" ? (
                <button
                  type="button"
                  className="button--link"
                  disabled={busy}
                  aria-label={`Revoke ${r} from ${user.email}`}
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
              Role for {user.email}
            </label>
            <select id={`role-${user.id}`} value={chosen} onChange={(e) => setRole(e.target.value)}>
              {missing.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button"
              disabled={busy}
              aria-label={`Grant role to ${user.email}`}
              onClick={() => run(() => consoleApi.grantRole(api, user.id, chosen))}
            >
              Grant
            </button>
          </>
        ) : null}
        {canDisable ? (
          user.disabled ? (
            <button type="button" className="button" disabled={busy} onClick={() => run(() => consoleApi.enable(api, user.id))}>
              Enable
            </button>
          ) : (
            <button
              type="button"
              className="button button--danger"
              disabled={busy}
              onClick={() => run(() => consoleApi.disable(api, user.id))}
            >
              Disable
            </button>
          )
        ) : null}
      </div>
    </li>
  );
}
