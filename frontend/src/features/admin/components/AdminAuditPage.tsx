import { useApi } from "../../../lib/auth/context";
import { formatTime } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { usePaged } from "../../../lib/usePaged";
import { consoleApi } from "../api/admin";
import { useEmails } from "../hooks/useEmails";
import { useCan } from "../hooks/useCan";
import { AdminPage } from "./AdminPage";
import { LoadMore } from "./LoadMore";

interface Entry {
  id: string;
  actorId: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  at: string;
}

interface List {
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
}

/** Who did what: auth's audit log (roles, disables, sign-ins by staff) and trading's (markets, bot). */
export function AdminAuditPage() {
  const api = useApi();
  const { t } = useI18n();
  const canAuth = useCan("audit.read");
  const canTrading = useCan("trading.admin");
  const auth = usePaged({
    queryKey: ["admin", "audit", "auth"],
    fetchPage: (cursor) => consoleApi.authAudit(api, cursor),
    keyOf: (e) => e.id,
    enabled: canAuth,
    staleTime: 0,
  });
  const trading = usePaged({
    queryKey: ["admin", "audit", "trading"],
    fetchPage: (cursor) => consoleApi.tradingAudit(api, cursor),
    keyOf: (e) => e.id,
    enabled: canTrading,
    staleTime: 0,
  });
  const tradingRows = trading.rows.map((e) => ({ ...e, at: e.createdAt }));
  return (
    <AdminPage id="admin-audit" title={t("admin.audit.title")} errors={[auth.error, trading.error]}>
      {canAuth ? <AuditTable label={t("admin.audit.auth")} entries={auth.rows} loading={auth.isPending} list={auth} /> : null}
      {canTrading ? (
        <AuditTable label={t("admin.audit.trading")} entries={tradingRows} loading={trading.isPending} list={trading} />
      ) : null}
    </AdminPage>
  );
}

function AuditTable({ label, entries, loading, list }: { label: string; entries: Entry[]; loading: boolean; list: List }) {
  const { t } = useI18n();
  const emails = useEmails(entries.flatMap((e) => (e.actorId ? [e.actorId] : [])));
  return (
    <>
      <h2>{label}</h2>
      {loading ? <p role="status">{t("common.loading")}</p> : null}
      <div className="table-wrap" tabIndex={0} role="group" aria-label={t("admin.scrollable", { label })}>
        <table className="table" aria-label={label}>
          <thead>
            <tr>
              <th scope="col">{t("admin.audit.when")}</th>
              <th scope="col">{t("admin.audit.who")}</th>
              <th scope="col">{t("admin.audit.action")}</th>
              <th scope="col">{t("admin.audit.target")}</th>
              <th scope="col">{t("admin.audit.details")}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <td>{formatTime(e.at)}</td>
                <td>
                  <code>{e.actorId ? emails(e.actorId) : t("admin.audit.system")}</code>
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
                <td colSpan={5} className="muted">
                  {t("admin.audit.nothing")}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <LoadMore list={list} count={entries.length} />
    </>
  );
}
