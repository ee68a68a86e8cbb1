import { describe, expect, it } from "vitest";
import {
  formatAmount,
  formatClock,
  formatTime,
  getTimeDisplay,
  isPositiveDecimal,
  setTimeDisplay,
  timeLocale,
  validTimeZone,
  zoneOffsetSeconds,
} from "./format";

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

describe("times are shown in the user's zone", () => {
  // 2 Dec 2026 12:00 UTC: 16:00 in Dubai (UTC+4), 07:00 in New York (UTC-5 in winter)
  const instant = "2026-12-02T12:00:00Z";

  it("formats the same instant differently in Asia/Dubai and America/New_York", () => {
    const dubai = formatTime(instant, { timeZone: "Asia/Dubai", locale: "en-GB" });
    const newYork = formatTime(instant, { timeZone: "America/New_York", locale: "en-GB" });
    expect(dubai).toContain("16:00");
    expect(newYork).toContain("07:00");
    expect(dubai).not.toBe(newYork);
    expect(formatClock(Date.parse(instant), { timeZone: "Asia/Dubai" })).toBe("16:00:00");
    expect(formatClock(Date.parse(instant), { timeZone: "America/New_York" })).toBe("07:00:00");
  });

  it("falls back to the browser's zone for an invalid zone, without throwing", () => {
    expect(validTimeZone("Mars/Olympus_Mons")).toBeUndefined();
    expect(validTimeZone("")).toBeUndefined();
    expect(validTimeZone(null)).toBeUndefined();
    expect(validTimeZone("Asia/Dubai")).toBe("Asia/Dubai");
    const browser = formatTime(instant, { locale: "en-GB" });
    expect(() => formatTime(instant, { timeZone: "Mars/Olympus_Mons", locale: "en-GB" })).not.toThrow();
    expect(formatTime(instant, { timeZone: "Mars/Olympus_Mons", locale: "en-GB" })).toBe(browser);
    expect(formatTime("not a time")).toBe("not a time");
  });

  it("uses the defaults the provider sets", () => {
    const before = getTimeDisplay();
    try {
      setTimeDisplay({ timeZone: "Asia/Dubai", locale: "en-GB" });
      expect(formatTime(instant)).toContain("16:00");
      setTimeDisplay({ timeZone: "America/New_York", locale: "en-GB" });
      expect(formatTime(instant)).toContain("07:00");
      setTimeDisplay({ timeZone: "Nowhere/Land", locale: "en-GB" });
      expect(getTimeDisplay().timeZone).toBeUndefined();
    } finally {
      setTimeDisplay(before);
    }
  });

  it("writes Arabic dates with Latin digits", () => {
    const shown = formatTime(instant, { timeZone: "Asia/Dubai", locale: timeLocale("ar") });
    expect(shown).toMatch(/2026/);
    expect(shown).toMatch(/16:00|4:00/);
    expect(shown).not.toMatch(/[\u0660-\u0669]/);
    expect(shown).toMatch(/[\u0600-\u06FF]/); // the month's Arabic name
  });

  it("knows each zone's offset from UTC for the chart (with summer time)", () => {
    const winter = Date.parse(instant) / 1000;
    const summer = Date.parse("2026-07-01T12:00:00Z") / 1000;
    expect(zoneOffsetSeconds("Asia/Dubai", winter)).toBe(4 * 3600);
    expect(zoneOffsetSeconds("America/New_York", winter)).toBe(-5 * 3600);
    expect(zoneOffsetSeconds("America/New_York", summer)).toBe(-4 * 3600);
    expect(zoneOffsetSeconds("Asia/Kolkata", winter)).toBe(5.5 * 3600);
    expect(zoneOffsetSeconds("UTC", winter)).toBe(0);
    expect(zoneOffsetSeconds("Mars/Olympus_Mons", winter)).toBe(0);
  });
});
