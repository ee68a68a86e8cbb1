import { idempotencyKey, unwrap, type Api } from "../../../lib/api/client";

export const adminApi = {
  pendingDeposits: (api: Api) =>
    unwrap(api.GET("/api/banking/v1/admin/deposits/fiat", { params: { query: { status: "PENDING", limit: 100 } } })),
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
  withdrawals: (api: Api, status: "PENDING_APPROVAL" | "QUEUED") =>
    unwrap(api.GET("/api/banking/v1/admin/withdrawals", { params: { query: { status, limit: 100 } } })),
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
