import { useQuery } from "@tanstack/react-query";
import { unwrap } from "../../../lib/api/client";
import { useApi, useSessionState } from "../../../lib/auth/context";
import { can, sectionsAllowed, sectionsFor, type AdminSection, type Permission } from "./permissions";

/** The signed-in user's roles (from the access token's claims). */
export function useRoles(): readonly string[] {
  return useSessionState().claims?.roles ?? [];
}

/**
 * The caller's permissions as the auth service states them (`GET /api/auth/v1/me`
 * `permissions`), or null until known (or from an older server without the field).
 */
export function usePermissions(): readonly string[] | null {
  const api = useApi();
  const state = useSessionState();
  const signedIn = state.status === "signedIn";
  const me = useQuery({
    queryKey: ["auth", "me", state.claims?.sub, state.claims?.roles.join(",")],
    queryFn: () => unwrap(api.GET("/api/auth/v1/me")),
    enabled: signedIn,
    staleTime: 60_000,
    retry: false,
  });
  // an older auth service answers without the field: then the roles' mirror decides
  const permissions = me.data?.permissions as readonly string[] | undefined;
  return signedIn && Array.isArray(permissions) ? permissions : null;
}

/** Whether `permissions` (from /me) or else the roles' mirrored permissions grant `permission`. */
function granted(permissions: readonly string[] | null, roles: readonly string[], permission: Permission): boolean {
  return permissions ? permissions.includes(permission) : can(roles, permission);
}

/** Whether the signed-in user may use `permission` (to hide what they cannot do). */
export function useCan(permission: Permission): boolean {
  return granted(usePermissions(), useRoles(), permission);
}

/** The console's sections this user may open, in navigation order. */
export function useSections(): AdminSection[] {
  const permissions = usePermissions();
  const roles = useRoles();
  return permissions ? sectionsAllowed(permissions) : sectionsFor(roles);
}
