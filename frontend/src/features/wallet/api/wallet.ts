import { idempotencyKey, unwrap, type Api } from "../../../lib/api/client";

export type Direction = "toSpot" | "toFunding";

/** Rows per page of the wallet's lists ("Load more" fetches the next with the page's cursor). */
export const WALLET_PAGE = 20;
/** The funding ledger's page: a hold and its settlement are two rows, so a longer one. */
export const LEDGER_PAGE = 50;

const after = (cursor: string | null) => (cursor ? { cursor } : {});

export const walletApi = {
  fundingAccounts: (api: Api) => unwrap(api.GET("/api/banking/v1/accounts")),
  spotBalances: (api: Api) => unwrap(api.GET("/api/trading/v1/balances")),
  requestDeposit: (api: Api, amount: string) =>
    unwrap(api.POST("/api/banking/v1/deposits/fiat", { body: { asset: "AED", amount } })),
  deposits: (api: Api, cursor: string | null = null) =>
    unwrap(api.GET("/api/banking/v1/deposits/fiat", { params: { query: { limit: WALLET_PAGE, ...after(cursor) } } })),
  transactions: (api: Api, asset: string, kind: string | null, cursor: string | null = null) =>
    unwrap(
      api.GET("/api/banking/v1/accounts/{asset}/transactions", {
        params: { path: { asset }, query: { limit: LEDGER_PAGE, kind, ...after(cursor) } },
      }),
    ),
  /** The funding statement as CSV (the server's own export, same filters). */
  statementCsv: (api: Api, asset: string, kind: string | null) =>
    unwrap<Blob>(
      api.GET("/api/banking/v1/accounts/{asset}/statement.csv", {
        params: { path: { asset }, query: { kind } },
        parseAs: "blob",
      }),
    ),
  spotTransfers: (api: Api, cursor: string | null = null) =>
    unwrap(api.GET("/api/trading/v1/transfers", { params: { query: { limit: WALLET_PAGE, ...after(cursor) } } })),
  /** Funding → spot goes through banking; spot → funding through the trading service. */
  transfer: (
    api: Api,
    direction: Direction,
    asset: string,
    amount: string,
  ): Promise<{ id: string; status: string }> => {
    const params = { header: { "Idempotency-Key": idempotencyKey() } };
    return direction === "toSpot"
      ? unwrap(api.POST("/api/banking/v1/transfers/trading", { params, body: { asset, amount } }))
      : unwrap(api.POST("/api/trading/v1/transfers/funding", { params, body: { asset, amount } }));
  },
  limits: (api: Api) => unwrap(api.GET("/api/banking/v1/withdrawals/limits")),
  withdrawals: (api: Api, cursor: string | null = null) =>
    unwrap(api.GET("/api/banking/v1/withdrawals", { params: { query: { limit: WALLET_PAGE, ...after(cursor) } } })),
  withdrawFiat: (api: Api, body: { amount: string; iban: string; beneficiaryName: string; totpCode: string }) =>
    unwrap(
      api.POST("/api/banking/v1/withdrawals/fiat", {
        params: { header: { "Idempotency-Key": idempotencyKey() } },
        body: { asset: "AED", ...body },
      }),
    ),
  withdrawCrypto: (
    api: Api,
    body: { asset: string; network: string; address: string; amount: string; totpCode: string },
  ) =>
    unwrap(
      api.POST("/api/banking/v1/withdrawals/crypto", {
        params: { header: { "Idempotency-Key": idempotencyKey() } },
        body,
      }),
    ),
  cancelWithdrawal: (api: Api, id: string) =>
    unwrap(
      api.POST("/api/banking/v1/withdrawals/{withdrawal_id}/cancel", { params: { path: { withdrawal_id: id } } }),
    ),
  depositAddress: (api: Api, asset: string, network: string) =>
    unwrap(api.GET("/api/banking/v1/deposits/crypto/address", { params: { query: { asset, network } } })),
  cryptoDeposits: (api: Api, cursor: string | null = null) =>
    unwrap(api.GET("/api/banking/v1/deposits/crypto", { params: { query: { limit: WALLET_PAGE, ...after(cursor) } } })),
};

/** The signed-in user's own account (2FA on or off): the withdrawal form needs 2FA first. */
export const meApi = {
  me: (api: Api) => unwrap(api.GET("/api/auth/v1/me")),
};
