import { describe, expect, it } from "vitest";
import { ledgerRows } from "./ledgerRows";

const row = (id: string, status: string, amount: string, pendingId: string | null = null) => ({
  id,
  kind: "trading.out",
  status,
  direction: "debit",
  amount,
  pendingId,
});

describe("ledgerRows", () => {
  it("shows a posted hold once, with the amount its posting moved", () => {
    const rows = ledgerRows([row("p1", "post", "200", "h1"), row("h1", "posted", "250"), row("d1", "posted", "1000")]);
    expect(rows.map((r) => [r.item.id, r.status, r.amount])).toEqual([
      ["h1", "posted", "200"],
      ["d1", "posted", "1000"],
    ]);
  });

  it("keeps a pending hold pending and a voided one voided (nothing moved)", () => {
    const rows = ledgerRows([row("v1", "voided", "250", "h2"), row("h2", "voided", "250"), row("h3", "pending", "5")]);
    expect(rows.map((r) => [r.item.id, r.status])).toEqual([
      ["h2", "voided"],
      ["h3", "pending"],
    ]);
  });

  it("a settlement whose hold is on another page is not shown alone", () => {
    expect(ledgerRows([row("p9", "post", "1", "h-older")])).toEqual([]);
  });
});
