import { unwrap, type Api } from "../../../lib/api/client";

export type Scope = "read" | "trade" | "withdraw";

export const securityApi = {
  me: (api: Api) => unwrap(api.GET("/api/auth/v1/me")),
  sessions: (api: Api) => unwrap(api.GET("/api/auth/v1/sessions")),
  revokeSession: (api: Api, id: string) =>
    unwrap(api.DELETE("/api/auth/v1/sessions/{session_id}", { params: { path: { session_id: id } } })),
  logout: (api: Api) => unwrap(api.POST("/api/auth/v1/logout")),
  logoutAll: (api: Api) => unwrap(api.POST("/api/auth/v1/logout-all")),
  enroll: (api: Api) => unwrap(api.POST("/api/auth/v1/2fa/enroll")),
  confirm: (api: Api, code: string) => unwrap(api.POST("/api/auth/v1/2fa/confirm", { body: { code } })),
  disable: (api: Api, password: string, code: string) =>
    unwrap(api.POST("/api/auth/v1/2fa/disable", { body: { password, code } })),
  apiKeys: (api: Api) => unwrap(api.GET("/api/auth/v1/api-keys")),
  createApiKey: (api: Api, body: { label: string; scopes: Scope[]; ipAllowList: string[]; totpCode: string | null }) =>
    unwrap(api.POST("/api/auth/v1/api-keys", { body })),
  revokeApiKey: (api: Api, id: string) =>
    unwrap(api.DELETE("/api/auth/v1/api-keys/{key_id}", { params: { path: { key_id: id } } })),
};
