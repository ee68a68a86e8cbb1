import type { RouteObject } from "react-router";

/** The admin console's routes (each page loads on first visit); the shell guards them by role. */
export const adminRoutes: RouteObject[] = [
  { path: "admin", lazy: () => import("./components/AdminHome").then((m) => ({ Component: m.AdminHome })) },
  { path: "admin/deposits", lazy: () => import("./components/AdminDepositsPage").then((m) => ({ Component: m.AdminDepositsPage })) },
  {
    path: "admin/withdrawals",
    lazy: () => import("./components/AdminWithdrawalsPage").then((m) => ({ Component: m.AdminWithdrawalsPage })),
  },
  { path: "admin/users", lazy: () => import("./components/AdminUsersPage").then((m) => ({ Component: m.AdminUsersPage })) },
  { path: "admin/kyc", lazy: () => import("./components/AdminKycPage").then((m) => ({ Component: m.AdminKycPage })) },
  { path: "admin/markets", lazy: () => import("./components/AdminMarketsPage").then((m) => ({ Component: m.AdminMarketsPage })) },
  {
    path: "admin/market-data",
    lazy: () => import("./components/AdminMarketDataPage").then((m) => ({ Component: m.AdminMarketDataPage })),
  },
  {
    path: "admin/announcements",
    lazy: () => import("./components/AdminAnnouncementsPage").then((m) => ({ Component: m.AdminAnnouncementsPage })),
  },
  { path: "admin/audit", lazy: () => import("./components/AdminAuditPage").then((m) => ({ Component: m.AdminAuditPage })) },
];

/** Roles that see the console's link and may open `/admin` (each section checks its own). */
export const CONSOLE_ROLES: readonly string[] = ["support", "compliance", "admin"];
