import { describe, expect, it } from "vitest";
import { fractionToPercent, pathSymbol, percentToFraction } from "./markets";

describe("market helpers", () => {
  it("drops the slash of a symbol for admin paths", () => {
    expect(pathSymbol("BTC/AED")).toBe("BTCAED");
    expect(pathSymbol("ETHAED")).toBe("ETHAED");
  });

  it("shows fractions as percentages without float artefacts", () => {
    expect(fractionToPercent("0.001")).toBe("0.1");
    expect(fractionToPercent("0.0015")).toBe("0.15");
    expect(fractionToPercent("0.07")).toBe("7");
    expect(fractionToPercent("0")).toBe("0");
  });

  it("reads percentages as fractions, refusing what the API would refuse", () => {
    expect(percentToFraction("0.1")).toBe("0.001");
    expect(percentToFraction("0.15")).toBe("0.0015");
    expect(percentToFraction("10")).toBe("0.1");
    expect(percentToFraction("10.01")).toBeNull();
    expect(percentToFraction("-1")).toBeNull();
    expect(percentToFraction("abc")).toBeNull();
    expect(percentToFraction("")).toBeNull();
    expect(percentToFraction("50", "50")).toBe("0.5");
  });

  it("round-trips every percentage with up to 4 decimals from 0 to 10", () => {
    for (let hundredths = 0; hundredths <= 100_000; hundredths += 7) {
      const whole = Math.floor(hundredths / 10_000);
      const fraction = String(hundredths % 10_000).padStart(4, "0").replace(/0+$/, "");
      const percent = fraction ? `${whole}.${fraction}` : String(whole);
      const asFraction = percentToFraction(percent);
      expect(asFraction).not.toBeNull();
      expect(fractionToPercent(asFraction ?? "")).toBe(percent);
    }
  });
});
