import { describe, expect, it } from "vitest";
import { formatAmount, isPositiveDecimal } from "./format";

describe("formatAmount works on the digits, never through a float", () => {
  it.each([
    ["1000", "1,000.00"],
    ["1000.5", "1,000.50"],
    ["0.30000000", "0.30"],
    ["0.00000001", "0.00000001"],
    ["123456789012345678901234.10", "123,456,789,012,345,678,901,234.10"],
    ["-2500.125", "-2,500.125"],
    ["007.10", "7.10"],
    ["not a number", "not a number"],
  ])("%s → %s", (input, shown) => {
    expect(formatAmount(input)).toBe(shown);
  });

  it("keeps 0.1 + 0.2 exact where a float would not", () => {
    expect(formatAmount("0.3")).toBe("0.30");
    expect(String(0.1 + 0.2)).not.toBe("0.3");
  });
});

describe("isPositiveDecimal", () => {
  it.each([
    ["1000", 2, true],
    ["1000.50", 2, true],
    ["1000.505", 2, false],
    ["0", 2, false],
    ["0.00", 2, false],
    ["-5", 2, false],
    ["1e3", 2, false],
    ["", 2, false],
    [".5", 2, false],
  ])("%s with scale %d → %s", (value, scale, ok) => {
    expect(isPositiveDecimal(value, scale)).toBe(ok);
  });
});
