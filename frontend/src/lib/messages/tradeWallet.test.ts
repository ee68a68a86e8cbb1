import { describe, expect, it } from "vitest";
import * as markets from "./markets";
import * as trade from "./trade";
import * as wallet from "./wallet";

describe("the trade, markets and wallet catalogues are translated", () => {
  it.each([
    ["trade", trade],
    ["markets", markets],
    ["wallet", wallet],
  ])("every %s key has Arabic, with the same placeholders", (_area, messages) => {
    const ar: Record<string, string | undefined> = messages.ar;
    for (const [key, english] of Object.entries(messages.en)) {
      const arabic = ar[key];
      expect(arabic, key).toBeTruthy();
      const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(arabic ?? ""), key).toEqual(names(english));
      // Arabic words, Latin digits (as Arabic-language exchanges show numbers)
      expect(arabic, key).not.toMatch(/[\u0660-\u0669]/);
    }
  });
});
