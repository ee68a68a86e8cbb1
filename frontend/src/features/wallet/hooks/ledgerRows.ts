/**
 * The funding ledger as a person reads it. Banking records a hold and, later, its
 * settlement as a second row (`status: "post"` or `"voided"`, `pendingId` = the hold):
 * listed as is, a 250 transfer to spot looks like two debits. Each hold is shown once,
 * with its outcome and the amount that really moved (a hold may be posted in part).
 */
export interface LedgerItem {
  id: string;
  kind: string;
  status: string;
  direction: string;
  amount: string;
  pendingId?: string | null;
}

export interface LedgerRow<T extends LedgerItem> {
  item: T;
  status: "pending" | "posted" | "voided";
  amount: string;
}

export function ledgerRows<T extends LedgerItem>(items: readonly T[]): LedgerRow<T>[] {
  const settlements = new Map<string, T>();
  for (const item of items) if (item.pendingId) settlements.set(item.pendingId, item);
  return items
    .filter((item) => !item.pendingId)
    .map((item) => {
      const settled = settlements.get(item.id);
      const raw = (settled?.status ?? item.status).toLowerCase();
      const status = raw === "pending" ? "pending" : raw.startsWith("void") ? "voided" : "posted";
      const amount = settled && status === "posted" ? settled.amount : item.amount;
      return { item, status, amount };
    });
}
