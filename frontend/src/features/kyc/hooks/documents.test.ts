import { describe, expect, it } from "vitest";
import { isComplete, nextDocumentLevel, percent } from "./documents";

describe("KYC document levels", () => {
  it("offers level 2 after 1, level 3 after 2, nothing while a request is pending or at 3", () => {
    expect(nextDocumentLevel(0, false)).toBeNull();
    expect(nextDocumentLevel(1, false)).toBe(2);
    expect(nextDocumentLevel(2, false)).toBe(3);
    expect(nextDocumentLevel(3, false)).toBeNull();
    expect(nextDocumentLevel(1, true)).toBeNull();
  });

  it("level 2 needs front, back and selfie; level 3 the proof of address", () => {
    expect(isComplete(2, { documentFront: "a", documentBack: "b" })).toBe(false);
    expect(isComplete(2, { documentFront: "a", documentBack: "b", selfie: "c" })).toBe(true);
    expect(isComplete(3, {})).toBe(false);
    expect(isComplete(3, { proofOfAddress: "d" })).toBe(true);
  });

  it("says progress in whole percent, clamped", () => {
    expect(percent(0.4567)).toBe("46 %");
    expect(percent(2)).toBe("100 %");
    expect(percent(-1)).toBe("0 %");
  });
});
