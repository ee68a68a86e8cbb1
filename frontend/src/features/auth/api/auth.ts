import { unwrap, type Api } from "../../../lib/api/client";

export interface Credentials {
  email: string;
  password: string;
  totpCode?: string | null;
}

export const authApi = {
  register: (api: Api, body: { email: string; password: string }) =>
    unwrap(api.POST("/api/auth/v1/register", { body })),
  login: (api: Api, body: Credentials) => unwrap(api.POST("/api/auth/v1/login", { body })),
  verifyEmail: (api: Api, token: string) =>
    unwrap(api.POST("/api/auth/v1/email-verification", { body: { token } })),
  resendVerification: (api: Api, email: string) =>
    unwrap(api.POST("/api/auth/v1/email-verification/resend", { body: { email } })),
  requestReset: (api: Api, email: string) =>
    unwrap(api.POST("/api/auth/v1/password-reset", { body: { email } })),
  confirmReset: (api: Api, token: string, newPassword: string) =>
    unwrap(api.POST("/api/auth/v1/password-reset/confirm", { body: { token, newPassword } })),
  logout: (api: Api) => unwrap(api.POST("/api/auth/v1/logout")),
};
