import type { ReactNode } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { hasAnyRole, useSessionState } from "../lib/auth/context";
import { SIGNED_OUT } from "../lib/auth/session";

function Loading() {
  return (
    <p role="status" className="loading">
      Loading…
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

export function RequireRole({ roles }: { roles: readonly string[] }) {
  const state = useSessionState();
  if (!hasAnyRole(state, roles)) {
    return (
      <section className="card">
        <h1>Not allowed</h1>
        <p>This page is for staff with the {roles.join(" or ")} role.</p>
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
