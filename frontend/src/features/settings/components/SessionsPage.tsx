import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi, useSession } from "../../../lib/auth/context";
import { SIGNED_OUT } from "../../../lib/auth/session";
import { formatTime } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { Card, ProblemMessage } from "../../../lib/ui/forms";
import { securityApi } from "../api/security";

export function SessionsPage() {
  const api = useApi();
  const session = useSession();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: ["sessions"], queryFn: () => securityApi.sessions(api) });
  const revoke = useMutation({
    mutationFn: (id: string) => securityApi.revokeSession(api, id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["sessions"] }),
  });
  const logoutAll = useMutation({
    mutationFn: () => securityApi.logoutAll(api),
    onSuccess: () => session.signOut(SIGNED_OUT),
  });
  const logout = useMutation({
    mutationFn: () => securityApi.logout(api),
    onSettled: () => session.signOut(SIGNED_OUT),
  });
  const error = revoke.error ?? logoutAll.error ?? sessions.error;
  return (
    <Card title={t("account.sessions")} wide>
      <p>{t("account.sessions.intro")}</p>
      <ProblemMessage error={error} />
      {sessions.isPending ? <p role="status">{t("common.loading")}</p> : null}
      <ul className="list">
        {sessions.data?.items.map((s) => {
          const device = s.device || t("account.sessions.unknownDevice");
          return (
            <li key={s.id} className="list__row">
              <div>
                <strong>{device}</strong> {s.current ? <span className="badge">{t("account.sessions.thisDevice")}</span> : null}
                <div className="muted">
                  {t("account.sessions.times", { ip: s.ip, created: formatTime(s.createdAt), used: formatTime(s.lastUsedAt) })}
                </div>
              </div>
              <button
                type="button"
                className="button"
                onClick={() => (s.current ? logout.mutate() : revoke.mutate(s.id))}
                disabled={revoke.isPending}
                aria-label={s.current ? t("account.sessions.signOutHere") : t("account.sessions.endOn", { device })}
              >
                {s.current ? t("account.sessions.signOut") : t("account.sessions.end")}
              </button>
            </li>
          );
        })}
      </ul>
      <button type="button" className="button button--danger" onClick={() => logoutAll.mutate()}>
        {t("account.sessions.everywhere")}
      </button>
    </Card>
  );
}
