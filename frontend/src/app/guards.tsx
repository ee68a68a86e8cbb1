import type { ReactNode } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { useSections } from "../features/admin/hooks/useCan";
import { hasAnyRole, useSessionState } from "../lib/auth/context";
import { SIGNED_OUT } from "../lib/auth/session";
import { useI18n } from "../lib/i18nContext";

function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" className="loading">
      {t("common.loading")}
    </p>
  );
}

export function RequireAuth() {
  const state = useSessionState();
  const location = useLocation();
  if (state.status === "loading") return <Loading />;
  if (state.status === "signedOut") {
    // after the user's own sign-out, the next sign-in starts afresh at the wallet
    const from = state.endedBecause === SIGNED_OUT ? undefined : location.pathname + location.search;
    return <Navigate to="/login" replace state={{ from }} />;
  }
  return <Outlet />;
}

/**
 * Staff pages: the token's roles, or the permissions `GET /api/auth/v1/me` states opening
 * a console section (each section still checks its own; the services decide).
 */
export function RequireRole({ roles }: { roles: readonly string[] }) {
  const state = useSessionState();
  const { t } = useI18n();
  const sections = useSections();
  if (!hasAnyRole(state, roles) && sections.length === 0) {
    return (
      <section className="card">
        <h1>{t("account.notAllowed")}</h1>
        <p>{t("account.staffOnly", { roles: roles.join(t("account.or")) })}</p>
      </section>
    );
  }
  return <Outlet />;
}

/** Sign-in and sign-up pages send a signed-in user on (where they were going, or the wallet). */
export function GuestOnly({ children }: { children: ReactNode }) {
  const state = useSessionState();
  const location = useLocation();
  if (state.status === "loading") return <Loading />;
  if (state.status === "signedIn") {
    const from = (location.state as { from?: string } | null)?.from ?? "/wallet";
    return <Navigate to={from} replace />;
  }
  return children;
}
