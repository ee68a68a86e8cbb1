import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { asProblem, problemMessage } from "../../../lib/api/problem";
import { useApi, useSession } from "../../../lib/auth/context";
import { SIGNED_OUT } from "../../../lib/auth/session";
import { formatTime } from "../../../lib/format";
import { Card, FormMessage } from "../../../lib/ui/forms";
import { securityApi } from "../api/security";

export function SessionsPage() {
  const api = useApi();
  const session = useSession();
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
    <Card title="Sessions" wide>
      <p>Devices signed in to your account. End any you do not recognise.</p>
      <FormMessage message={error ? problemMessage(asProblem(error)) : null} />
      {sessions.isPending ? <p role="status">Loading…</p> : null}
      <ul className="list">
        {sessions.data?.items.map((s) => (
          <li key={s.id} className="list__row">
            <div>
              <strong>{s.device || "Unknown device"}</strong> {s.current ? <span className="badge">this device</span> : null}
              <div className="muted">
                {s.ip} · signed in {formatTime(s.createdAt)} · last used {formatTime(s.lastUsedAt)}
              </div>
            </div>
            <button
              type="button"
              className="button"
              onClick={() => (s.current ? logout.mutate() : revoke.mutate(s.id))}
              disabled={revoke.isPending}
              aria-label={s.current ? "Sign out of this device" : `End session on ${s.device || "unknown device"}`}
            >
              {s.current ? "Sign out" : "End"}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" className="button button--danger" onClick={() => logoutAll.mutate()}>
        Sign out everywhere
      </button>
    </Card>
  );
}
