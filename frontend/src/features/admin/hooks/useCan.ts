import { useSessionState } from "../../../lib/auth/context";
import { can, type Permission } from "./permissions";

/** The signed-in user's roles (from the access token's claims). */
export function useRoles(): readonly string[] {
  return useSessionState().claims?.roles ?? [];
}

/** Whether the signed-in user's roles grant `permission` (to hide what they cannot do). */
export function useCan(permission: Permission): boolean {
  return can(useRoles(), permission);
}
