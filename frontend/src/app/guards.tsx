import type { ReactNode } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { hasAnyRole, useSessionState } from "../lib/auth/context";

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
    return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
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

/** Sign-in and sign-up pages send a signed-in user to the wallet. */
export function GuestOnly({ children }: { children: ReactNode }) {
  const state = useSessionState();
  if (state.status === "loading") return <Loading />;
  if (state.status === "signedIn") return <Navigate to="/wallet" replace />;
  return children;
}
