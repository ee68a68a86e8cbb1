import { idempotencyKey, unwrap, type Api } from "../../../lib/api/client";

/** Rows per page of the staff lists (each list pages on with the API's `nextCursor`). */
export const PAGE = 50;
/** Users are found by e-mail, so a shorter first page. */
export const USERS_PAGE = 20;
/** Each announcement row may poll its progress: a short page. */
export const ANNOUNCEMENTS_PAGE = 20;

export const adminApi = {
  pendingDeposits: (api: Api, cursor: string | null = null) =>
    unwrap(api.GET("/api/banking/v1/admin/deposits/fiat", { params: { query: { status: "PENDING", limit: PAGE, cursor } } })),
  approve: (api: Api, id: string, amount: string | null) =>
    unwrap(
      api.POST("/api/banking/v1/admin/deposits/fiat/{deposit_id}/approve", {
        params: { path: { deposit_id: id }, header: { "Idempotency-Key": idempotencyKey() } },
        body: { amount },
      }),
    ),
  reject: (api: Api, id: string, reason: string) =>
    unwrap(
      api.POST("/api/banking/v1/admin/deposits/fiat/{deposit_id}/reject", {
        params: { path: { deposit_id: id } },
        body: { reason },
      }),
    ),
  withdrawals: (api: Api, status: "PENDING_APPROVAL" | "QUEUED", cursor: string | null = null) =>
    unwrap(api.GET("/api/banking/v1/admin/withdrawals", { params: { query: { status, limit: PAGE, cursor } } })),
  approveWithdrawal: (api: Api, id: string) =>
    unwrap(
      api.POST("/api/banking/v1/admin/withdrawals/{withdrawal_id}/approve", {
        params: { path: { withdrawal_id: id } },
      }),
    ),
  rejectWithdrawal: (api: Api, id: string, reason: string) =>
    unwrap(
      api.POST("/api/banking/v1/admin/withdrawals/{withdrawal_id}/reject", {
        params: { path: { withdrawal_id: id }, header: { "Idempotency-Key": idempotencyKey() } },
        body: { reason },
      }),
    ),
  markPaid: (api: Api, id: string, bankReference: string) =>
    unwrap(
      api.POST("/api/banking/v1/admin/withdrawals/{withdrawal_id}/mark-paid", {
        params: { path: { withdrawal_id: id }, header: { "Idempotency-Key": idempotencyKey() } },
        body: { bankReference },
      }),
    ),
};

type MarketStatus = "TRADING" | "HALTED" | "CANCEL_ONLY";

/** Users and roles (auth), KYC review (users), markets, market data and the bot (trading). */
export const consoleApi = {
  users: (api: Api, email: string, cursor: string | null = null, limit = USERS_PAGE) =>
    unwrap(api.GET("/api/auth/v1/admin/users", { params: { query: { email: email || null, limit, cursor } } })),
  /** Accounts by id (`users.read`), in the order asked, unknown ids left out. */
  lookup: (api: Api, ids: string[]) => unwrap(api.POST("/api/auth/v1/admin/users/lookup", { body: { ids } })),
  grantRole: (api: Api, userId: string, role: string) =>
    unwrap(api.POST("/api/auth/v1/admin/users/{user_id}/roles", { params: { path: { user_id: userId } }, body: { role } })),
  revokeRole: (api: Api, userId: string, role: string) =>
    unwrap(api.DELETE("/api/auth/v1/admin/users/{user_id}/roles/{role}", { params: { path: { user_id: userId, role } } })),
  disable: (api: Api, userId: string) =>
    unwrap(api.POST("/api/auth/v1/admin/users/{user_id}/disable", { params: { path: { user_id: userId } } })),
  enable: (api: Api, userId: string) =>
    unwrap(api.POST("/api/auth/v1/admin/users/{user_id}/enable", { params: { path: { user_id: userId } } })),
  authAudit: (api: Api, cursor: string | null = null) =>
    unwrap(api.GET("/api/auth/v1/admin/audit-log", { params: { query: { limit: PAGE, cursor } } })),
  tradingAudit: (api: Api, cursor: string | null = null) =>
    unwrap(api.GET("/api/trading/v1/admin/audit", { params: { query: { limit: PAGE, cursor } } })),
  kycQueue: (api: Api, cursor: string | null = null) =>
    unwrap(api.GET("/api/users/v1/admin/kyc/submissions", { params: { query: { status: "PENDING", limit: PAGE, cursor } } })),
  kycSubmission: (api: Api, id: string) =>
    unwrap(api.GET("/api/users/v1/admin/kyc/submissions/{submission_id}", { params: { path: { submission_id: id } } })),
  kycApprove: (api: Api, id: string) =>
    unwrap(
      api.POST("/api/users/v1/admin/kyc/submissions/{submission_id}/approve", { params: { path: { submission_id: id } } }),
    ),
  kycReject: (api: Api, id: string, reason: string) =>
    unwrap(
      api.POST("/api/users/v1/admin/kyc/submissions/{submission_id}/reject", {
        params: { path: { submission_id: id } },
        body: { reason },
      }),
    ),
  markets: (api: Api) => unwrap(api.GET("/api/trading/v1/markets")),
  setStatus: (api: Api, symbol: string, status: MarketStatus) =>
    unwrap(api.PUT("/api/trading/v1/admin/markets/{symbol}/status", { params: { path: { symbol } }, body: { status } })),
  setFees: (api: Api, symbol: string, makerFee: string, takerFee: string) =>
    unwrap(
      api.PUT("/api/trading/v1/admin/markets/{symbol}/fees", { params: { path: { symbol } }, body: { makerFee, takerFee } }),
    ),
  sources: (api: Api) => unwrap(api.GET("/api/trading/v1/admin/market-data/sources")),
  bot: (api: Api) => unwrap(api.GET("/api/trading/v1/admin/liquidity-bot")),
  startBot: (api: Api) => unwrap(api.POST("/api/trading/v1/admin/liquidity-bot/start")),
  stopBot: (api: Api) => unwrap(api.POST("/api/trading/v1/admin/liquidity-bot/stop")),
  tuneBot: (api: Api, spread: string, levels: number) =>
    unwrap(api.PATCH("/api/trading/v1/admin/liquidity-bot", { body: { spread, levels } })),
  announcements: (api: Api, cursor: string | null = null) =>
    unwrap(api.GET("/api/notifications/v1/admin/announcements", { params: { query: { limit: ANNOUNCEMENTS_PAGE, cursor } } })),
  /** One announcement with its progress per channel (the list leaves progress out). */
  announcement: (api: Api, id: string) =>
    unwrap(
      api.GET("/api/notifications/v1/admin/announcements/{announcement_id}", { params: { path: { announcement_id: id } } }),
    ),
  announce: (api: Api, body: { segment: string; channels: ("push" | "email" | "in_app")[]; title: string; body: string }) =>
    unwrap(api.POST("/api/notifications/v1/admin/announcements", { body: { clientId: idempotencyKey(), ...body } })),
};
