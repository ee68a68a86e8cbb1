import { createBrowserRouter, Navigate } from "react-router";
import { adminRoutes, CONSOLE_ROLES } from "../features/admin/routes";
import { ForgotPasswordPage } from "../features/auth/components/ForgotPasswordPage";
import { LoginPage } from "../features/auth/components/LoginPage";
import { HomePage } from "../features/markets/components/HomePage";
import { MarketsPage } from "../features/markets/components/MarketsPage";
import { RegisterPage } from "../features/auth/components/RegisterPage";
import { ResetPasswordPage } from "../features/auth/components/ResetPasswordPage";
import { VerifyEmailPage } from "../features/auth/components/VerifyEmailPage";
import { Layout, NotFound } from "./Layout";
import { RouteError } from "./RouteError";
import { GuestOnly, RequireAuth, RequireRole } from "./guards";

// Pages behind sign-in load on demand: the first paint needs only the auth pages.
const wallet = () => import("../features/wallet/components/WalletPage").then((m) => ({ Component: m.WalletPage }));
const sessions = () =>
  import("../features/settings/components/SessionsPage").then((m) => ({ Component: m.SessionsPage }));
const twoFactor = () =>
  import("../features/settings/components/TwoFactorPage").then((m) => ({ Component: m.TwoFactorPage }));
const apiKeys = () => import("../features/settings/components/ApiKeysPage").then((m) => ({ Component: m.ApiKeysPage }));
const profile = () =>
  import("../features/settings/components/ProfilePage").then((m) => ({ Component: m.ProfilePage }));
const notificationPrefs = () =>
  import("../features/notifications/components/PreferencesPage").then((m) => ({ Component: m.PreferencesPage }));
const kyc = () => import("../features/kyc/components/KycPage").then((m) => ({ Component: m.KycPage }));
const mailbox = () =>
  import("../features/notifications/components/MailboxPage").then((m) => ({ Component: m.MailboxPage }));

export function createAppRouter() {
  return createBrowserRouter([
    {
      element: <Layout />,
      errorElement: <RouteError />,
      hydrateFallbackElement: null,
      children: [
        { index: true, element: <HomePage /> },
        { path: "markets", element: <MarketsPage /> },
        // the trade page (and its chart, a chunk of its own) loads on first visit
        {
          path: "trade/:symbol",
          lazy: async () => ({ Component: (await import("../features/trade/components/TradePage")).default }),
        },
        { path: "login", element: <GuestOnly><LoginPage /></GuestOnly> },
        { path: "register", element: <GuestOnly><RegisterPage /></GuestOnly> },
        { path: "forgot-password", element: <ForgotPasswordPage /> },
        { path: "reset-password", element: <ResetPasswordPage /> },
        { path: "verify-email", element: <VerifyEmailPage /> },
        { path: "dev/mailbox", lazy: mailbox },
        {
          element: <RequireAuth />,
          children: [
            { path: "wallet", lazy: wallet },
            { path: "kyc", lazy: kyc },
            { path: "settings", element: <Navigate to="/settings/profile" replace /> },
            { path: "settings/profile", lazy: profile },
            { path: "settings/notifications", lazy: notificationPrefs },
            { path: "settings/sessions", lazy: sessions },
            { path: "settings/2fa", lazy: twoFactor },
            { path: "settings/api-keys", lazy: apiKeys },
            {
              element: <RequireRole roles={CONSOLE_ROLES} />,
              children: adminRoutes,
            },
          ],
        },
        { path: "*", element: <NotFound /> },
      ],
    },
  ]);
}
