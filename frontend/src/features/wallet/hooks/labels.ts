/** Banking's and trading's machine names in the user's language (unknown ones as the API names them). */
import type { MessageKey } from "../../../lib/i18n";

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

const STATUS: Record<string, MessageKey> = {
  pending: "wallet.status.pending",
  posted: "wallet.status.posted",
  voided: "wallet.status.voided",
  PENDING: "wallet.status.PENDING",
  PENDING_APPROVAL: "wallet.status.PENDING_APPROVAL",
  QUEUED: "wallet.status.QUEUED",
  PROCESSING: "wallet.status.PROCESSING",
  BROADCAST: "wallet.status.BROADCAST",
  COMPLETED: "wallet.status.COMPLETED",
  CANCELLED: "wallet.status.CANCELLED",
  REJECTED: "wallet.status.REJECTED",
  FAILED: "wallet.status.FAILED",
  APPROVED: "wallet.status.APPROVED",
  CREDITED: "wallet.status.CREDITED",
};

const KIND: Record<string, MessageKey> = {
  deposit: "wallet.kind.deposit",
  "deposit.fiat": "wallet.kind.deposit.fiat",
  "deposit.crypto": "wallet.kind.deposit.crypto",
  withdrawal: "wallet.kind.withdrawal",
  fee: "wallet.kind.fee",
  internal: "wallet.kind.internal",
  "trading.out": "wallet.kind.trading.out",
  "trading.in": "wallet.kind.trading.in",
};

/** The trading service names a transfer from the spot wallet's side. */
const SPOT_KIND: Record<string, MessageKey> = { in: "wallet.spot.in", out: "wallet.spot.out" };

const plain = (value: string) => value.replace(/_/g, " ").toLowerCase();

export function statusLabel(t: Translate, status: string): string {
  const key = STATUS[status] ?? STATUS[status.toUpperCase()];
  return key ? t(key) : plain(status);
}

export function kindLabel(t: Translate, kind: string): string {
  const key = KIND[kind];
  return key ? t(key) : kind;
}

export function spotKindLabel(t: Translate, kind: string): string {
  const key = SPOT_KIND[kind.toLowerCase()];
  return key ? t(key) : plain(kind);
}
