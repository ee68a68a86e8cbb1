/** Order statuses and types in the user's language (unknown ones as the API names them). */
import type { MessageKey } from "../../../lib/i18n";
import type { Translate } from "./orderForm";

const STATUS: Record<string, MessageKey> = {
  NEW: "trade.status.NEW",
  PARTIALLY_FILLED: "trade.status.PARTIALLY_FILLED",
  FILLED: "trade.status.FILLED",
  CANCELED: "trade.status.CANCELED",
  EXPIRED: "trade.status.EXPIRED",
  REJECTED: "trade.status.REJECTED",
  PENDING_NEW: "trade.status.PENDING_NEW",
  EXPIRED_IN_MATCH: "trade.status.EXPIRED_IN_MATCH",
};

const TYPE: Record<string, MessageKey> = {
  LIMIT: "trade.type.LIMIT",
  LIMIT_MAKER: "trade.type.LIMIT_MAKER",
  MARKET: "trade.type.MARKET",
  STOP_LIMIT: "trade.type.STOP_LIMIT",
  STOP_MARKET: "trade.type.STOP_MARKET",
};

export function statusLabel(t: Translate, status: string): string {
  const key = STATUS[status];
  return key ? t(key) : status.replace(/_/g, " ").toLowerCase();
}

export function typeLabel(t: Translate, type: string): string {
  const key = TYPE[type];
  return key ? t(key) : type;
}
