import { describe, expect, it } from "vitest";
import { mergeBalances } from "./useBalances";

describe("mergeBalances", () => {
  it("puts funding and spot side by side per asset, AED first", () => {
    const rows = mergeBalances(
      [
        { asset: "BTC", available: "0.5", held: "0" },
        { asset: "AED", available: "750", held: "10" },
      ],
      [{ asset: "AED", free: "250", locked: "0" }, { asset: "ETH", free: "1", locked: "0.5" }],
    );
    expect(rows.map((r) => r.asset)).toEqual(["AED", "BTC", "ETH"]);
    expect(rows[0]).toEqual({ asset: "AED", fundingAvailable: "750", fundingHeld: "10", spotFree: "250", spotLocked: "0" });
    expect(rows[2]).toMatchObject({ fundingAvailable: "0", spotLocked: "0.5" });
  });
});
