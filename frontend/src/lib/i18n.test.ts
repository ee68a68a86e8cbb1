// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import {
  applyDocumentLanguage,
  applyDocumentTheme,
  browserLanguage,
  CATALOGUES,
  direction,
  parseLanguage,
  translate,
  type Catalogue,
  type Language,
} from "./i18n";

describe("translate", () => {
  it("reads the language's own message", () => {
    expect(translate("ar", "nav.markets")).toBe("الأسواق");
    expect(translate("en", "nav.markets")).toBe("Markets");
  });

  it("falls back to English when the language lacks the key", () => {
    const catalogues: Record<Language, Catalogue> = { en: CATALOGUES.en, ar: {} };
    expect(translate("ar", "settings.save", {}, catalogues)).toBe("Save");
  });

  it("fills placeholders and leaves unknown ones visible", () => {
    expect(translate("en", "bell.unread", { count: 3 })).toBe("3 unread");
    expect(translate("ar", "bell.unread", { count: 3 })).toBe("3 غير مقروءة");
    expect(translate("en", "bell.unread")).toBe("{count} unread");
  });

  it("every Arabic message has the same placeholders as its English one", () => {
    for (const [key, text] of Object.entries(CATALOGUES.ar)) {
      const names = (s: string | undefined) => (s?.match(/\{\w+\}/g) ?? []).sort().join();
      expect(names(text), key).toBe(names(CATALOGUES.en[key as keyof Catalogue]));
    }
  });
});

describe("language choice", () => {
  it("parses tags with regions and ignores unsupported ones", () => {
    expect(parseLanguage("ar-AE")).toBe("ar");
    expect(parseLanguage("EN_gb")).toBe("en");
    expect(parseLanguage("fr")).toBeNull();
    expect(parseLanguage(42)).toBeNull();
  });

  it("takes the browser's first supported language, else English", () => {
    expect(browserLanguage(["fr-FR", "ar-SA", "en"])).toBe("ar");
    expect(browserLanguage(["de"])).toBe("en");
    expect(browserLanguage([])).toBe("en");
  });
});

describe("document direction (RTL switch)", () => {
  it("Arabic sets dir=rtl and lang=ar on <html>; English puts it back", () => {
    applyDocumentLanguage(document, "ar");
    expect(document.documentElement.dir).toBe("rtl");
    expect(document.documentElement.lang).toBe("ar");
    applyDocumentLanguage(document, "en");
    expect(document.documentElement.dir).toBe("ltr");
    expect(document.documentElement.lang).toBe("en");
    expect(direction("ar")).toBe("rtl");
  });

  it("a chosen theme overrides the device's; 'system' removes the override", () => {
    applyDocumentTheme(document, "dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    applyDocumentTheme(document, "system");
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });
});
