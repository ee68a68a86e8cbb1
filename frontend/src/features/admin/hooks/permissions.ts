import type { MessageKey } from "../../../lib/i18n";

/**
 * What each staff role may do, mirrored from libs/common burency_common/permissions.py
 * (the services decide; the console only hides what a role cannot do, so a stale copy
 * shows a button that answers 403, never lets anyone past the server).
 */
export type Permission =
  | "users.read"
  | "users.write"
  | "users.disable"
  | "roles.grant"
  | "kyc.review"
  | "deposits.approve"
  | "withdrawals.approve"
  | "audit.read"
  | "notifications.broadcast"
  | "files.read_private"
  | "banking.reconcile"
  | "banking.read"
  | "trading.read"
  | "trading.admin";

const SUPPORT: readonly Permission[] = ["users.read", "audit.read", "banking.read", "trading.read"];
const COMPLIANCE: readonly Permission[] = [
  ...SUPPORT,
  "kyc.review",
  "deposits.approve",
  "withdrawals.approve",
  "files.read_private",
  "banking.reconcile",
];
const ADMIN: readonly Permission[] = [
  ...COMPLIANCE,
  "users.write",
  "users.disable",
  "roles.grant",
  "notifications.broadcast",
  "trading.admin",
];

export const ROLE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  user: [],
  support: SUPPORT,
  compliance: COMPLIANCE,
  admin: ADMIN,
};

/** Roles an admin can grant (in the order the console lists them). */
export const GRANTABLE_ROLES = ["support", "compliance", "admin"] as const;
export const STAFF_ROLES: readonly string[] = GRANTABLE_ROLES;

export function can(roles: readonly string[], permission: Permission): boolean {
  return roles.some((role) => ROLE_PERMISSIONS[role]?.includes(permission) ?? false);
}

export interface AdminSection {
  to: string;
  /** the catalogue key of its name (`t(label)`) */
  label: MessageKey;
  /** any one of these lets the section show */
  anyOf: readonly Permission[];
}

export const ADMIN_SECTIONS: readonly AdminSection[] = [
  // the daily queues first: `/admin` opens the first section a role may see
  { to: "/admin/deposits", label: "admin.section.deposits", anyOf: ["deposits.approve"] },
  { to: "/admin/withdrawals", label: "admin.section.withdrawals", anyOf: ["withdrawals.approve"] },
  { to: "/admin/kyc", label: "admin.section.kyc", anyOf: ["kyc.review"] },
  { to: "/admin/users", label: "admin.section.users", anyOf: ["users.read"] },
  { to: "/admin/markets", label: "admin.section.markets", anyOf: ["trading.read"] },
  { to: "/admin/market-data", label: "admin.section.marketData", anyOf: ["trading.read"] },
  { to: "/admin/announcements", label: "admin.section.announcements", anyOf: ["notifications.broadcast"] },
  { to: "/admin/audit", label: "admin.section.audit", anyOf: ["audit.read", "trading.admin"] },
];

/** The console's sections a user with `roles` may open, in navigation order. */
export function sectionsFor(roles: readonly string[]): AdminSection[] {
  return ADMIN_SECTIONS.filter((s) => s.anyOf.some((p) => can(roles, p)));
}

/** The sections `permissions` (as `GET /api/auth/v1/me` names them) open, in navigation order. */
export function sectionsAllowed(permissions: readonly string[]): AdminSection[] {
  return ADMIN_SECTIONS.filter((s) => s.anyOf.some((p) => permissions.includes(p)));
}
