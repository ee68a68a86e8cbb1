import { createBrowserRouter, Navigate } from "react-router";
import { AdminDepositsPage } from "../features/admin/components/AdminDepositsPage";
import { ForgotPasswordPage } from "../features/auth/components/ForgotPasswordPage";
import { LoginPage } from "../features/auth/components/LoginPage";
import { RegisterPage } from "../features/auth/components/RegisterPage";
import { ResetPasswordPage } from "../features/auth/components/ResetPasswordPage";
import { VerifyEmailPage } from "../features/auth/components/VerifyEmailPage";
import { MailboxPage } from "../features/notifications/components/MailboxPage";
import { ApiKeysPage } from "../features/settings/components/ApiKeysPage";
import { SessionsPage } from "../features/settings/components/SessionsPage";
import { TwoFactorPage } from "../features/settings/components/TwoFactorPage";
import { WalletPage } from "../features/wallet/components/WalletPage";
import { Layout, NotFound } from "./Layout";
import { GuestOnly, RequireAuth, RequireRole } from "./guards";

export const STAFF = ["admin", "support", "compliance"] as const;

export function createAppRouter() {
  return createBrowserRouter([
    {
      element: <Layout />,
      children: [
        { index: true, element: <Navigate to="/wallet" replace /> },
        { path: "login", element: <GuestOnly><LoginPage /></GuestOnly> },
        { path: "register", element: <GuestOnly><RegisterPage /></GuestOnly> },
        { path: "forgot-password", element: <ForgotPasswordPage /> },
        { path: "reset-password", element: <ResetPasswordPage /> },
        { path: "verify-email", element: <VerifyEmailPage /> },
        { path: "dev/mailbox", element: <MailboxPage /> },
        {
          element: <RequireAuth />,
          children: [
            { path: "wallet", element: <WalletPage /> },
            { path: "settings/sessions", element: <SessionsPage /> },
            { path: "settings/2fa", element: <TwoFactorPage /> },
            { path: "settings/api-keys", element: <ApiKeysPage /> },
            {
              element: <RequireRole roles={["admin", "compliance"]} />,
              children: [{ path: "admin/deposits", element: <AdminDepositsPage /> }],
            },
          ],
        },
        { path: "*", element: <NotFound /> },
      ],
    },
  ]);
}
