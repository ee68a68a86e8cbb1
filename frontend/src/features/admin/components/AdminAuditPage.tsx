import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import { consoleApi } from "../api/admin";
import { useCan } from "../hooks/useCan";
import { AdminPage } from "./AdminPage";

interface Entry {
  id: string;
  actorId: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  at: string;
}

/** Who did what: auth's audit log (roles, disables, sign-ins by staff) and trading's (markets, bot). */
export function AdminAuditPage() {
  const api = useApi();
  const canAuth = useCan("audit.read");
  const canTrading = useCan("trading.admin");
  const auth = useQuery({ queryKey: ["admin", "audit", "auth"], queryFn: () => consoleApi.authAudit(api), enabled: canAuth, staleTime: 0 });
  const trading = useQuery({
    queryKey: ["admin", "audit", "trading"],
    queryFn: () => consoleApi.tradingAudit(api),
    enabled: canTrading,
    staleTime: 0,
  });
  return (
    <AdminPage id="admin-audit" title="Audit log" errors={[auth.error, trading.error]}>
      {canAuth ? <AuditTable label="Accounts and roles (auth)" entries={auth.data?.items ?? []} loading={auth.isPending} /> : null}
      {canTrading ? (
        <AuditTable
          label="Markets and bot (trading)"
          entries={(trading.data?.items ?? []).map((t) => ({ ...t, at: t.createdAt }))}
          loading={trading.isPending}
        />
      ) : null}
    </AdminPage>
  );
}

function AuditTable({ label, entries, loading }: { label: string; entries: Entry[]; loading: boolean }) {
  return (
    <>
      <h2>{label}</h2>
      {loading ? <p role="status">Loading…</p> : null}
      <div className="table-wrap" tabIndex={0} role="group" aria-label={`${label}, scrollable`}>
        <table className="table" aria-label={label}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{formatTime(e.at)}</td>
                <td>
                  <code>{e.actorId ?? "system"}</code>
                </td>
                <td>{e.action}</td>
                <td>{e.target ?? ""}</td>
                <td>
                  <code>{JSON.stringify(e.details)}</code>
                </td>
              </tr>
            ))}
            {!loading && entries.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted">Nothing recorded.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </>
  );
}
