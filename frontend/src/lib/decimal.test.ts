import { describe, expect, it } from "vitest";
import * as D from "./decimal";

describe("decimal", () => {
  it("adds without floating-point artefacts", () => {
    expect(D.toString(D.add("0.1", "0.2"))).toBe("0.3");
    expect(D.toString(D.add("1.005", "-0.005"))).toBe("1.000");
    expect(D.toString(D.sub("0.3", "0.1"))).toBe("0.2");
  });

  it("multiplies exactly: price × quantity", () => {
    expect(D.toString(D.mul("200000.01", "0.00003"))).toBe("6.0000003");
    expect(D.toFixed(D.mul("200000.01", "0.00003"), 2, "up")).toBe("6.01");
    expect(D.toString(D.mul("1.1", "1.1"))).toBe("1.21");
  });

  it("divides at a chosen scale and rounding", () => {
    expect(D.toString(D.div("10", "3", 4))).toBe("3.3333");
    expect(D.toString(D.div("10", "3", 4, "up"))).toBe("3.3334");
    expect(D.toString(D.div("2", "3", 2, "half-up"))).toBe("0.67");
    expect(D.toString(D.div("-10", "4", 0, "half-up"))).toBe("-3");
    expect(() => D.div("1", "0", 2)).toThrow();
  });

  it("rounds to a tick or lot step", () => {
    expect(D.toString(D.roundToStep("199999.987", "0.01"))).toBe("199999.98");
    expect(D.toString(D.roundToStep("199999.981", "0.01", "up"))).toBe("199999.99");
    expect(D.toString(D.roundToStep("123.4", "5"))).toBe("120");
    expect(D.toString(D.roundToStep("123.4", "5", "up"))).toBe("125");
    expect(D.toString(D.roundToStep("0.123456", "0.00001"))).toBe("0.12345");
  });

  it("checks multiples of a step", () => {
    expect(D.isMultiple("0.00030", "0.00001")).toBe(true);
    expect(D.isMultiple("0.000305", "0.00001")).toBe(false);
    expect(D.isMultiple("200000.10", "0.01")).toBe(true);
    expect(D.isMultiple("200000.105", "0.01")).toBe(false);
  });

  it("compares across scales", () => {
    expect(D.compare("1.50", "1.5")).toBe(0);
    expect(D.compare("10", "9.99")).toBe(1);
    expect(D.compare("-0.01", "0")).toBe(-1);
  });

  it("parses only plain decimals", () => {
    expect(D.tryParse("1e5")).toBeNull();
    expect(D.tryParse("")).toBeNull();
    expect(D.tryParse("abc")).toBeNull();
    expect(D.tryParse(".")).toBeNull();
    expect(D.toString(D.parse(".5"))).toBe("0.5");
    expect(D.toString(D.parse(" 007.250 "))).toBe("7.250");
  });

  it("formats with grouping, keeping digits", () => {
    expect(D.format("1234567.891")).toBe("1,234,567.891");
    expect(D.format("1234567.891", 2)).toBe("1,234,567.89");
    expect(D.format("-1000", 2)).toBe("-1,000.00");
    expect(D.format("0.00000001")).toBe("0.00000001");
    expect(D.format("999999999999999999.99")).toBe("999,999,999,999,999,999.99");
  });

  it("sums many tenths exactly (where floats drift)", () => {
    let total: D.Dec = D.ZERO;
    for (let i = 0; i < 1000; i += 1) total = D.add(total, "0.1");
    expect(D.toString(total)).toBe("100.0");
  });

  it("step scales and normalisation", () => {
    expect(D.stepScale("0.010")).toBe(2);
    expect(D.stepScale("5")).toBe(0);
    expect(D.toString(D.normalize("1.2300"))).toBe("1.23");
    expect(D.toString(D.normalize("100"))).toBe("100");
  });
});
