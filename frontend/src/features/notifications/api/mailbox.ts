import { unwrap, type Api } from "../../../lib/api/client";

export const mailboxApi = {
  list: (api: Api) =>
    unwrap(api.GET("/api/notifications/v1/dev/mailbox", { params: { query: { limit: 100 } } })),
};
