/**
 * The app's language and theme: from this browser (localStorage, then the browser's
 * languages), replaced by the user's own once signed in (the users service: profile
 * `language`, settings `theme`), and saved there when the user switches. Applies
 * `lang`/`dir` and `data-theme` to `<html>` at once.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { unwrap } from "./api/client";
import { useApi, useSessionState } from "./auth/context";
import {
  applyDocumentLanguage,
  applyDocumentTheme,
  browserLanguage,
  parseLanguage,
  parseTheme,
  translate,
  type Language,
  type MessageKey,
  type Theme,
} from "./i18n";

const LANGUAGE_KEY = "burency.language";
const THEME_KEY = "burency.theme";

interface I18n {
  language: Language;
  theme: Theme;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  /** switches at once; saved to the profile when signed in (the promise settles then) */
  setLanguage: (language: Language) => Promise<void>;
  setTheme: (theme: Theme) => Promise<void>;
}

const I18nContext = createContext<I18n | null>(null);

function stored(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // private mode: the choice lasts for this page only
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const session = useSessionState();
  const [language, setLanguageState] = useState<Language>(
    () => parseLanguage(stored(LANGUAGE_KEY)) ?? browserLanguage(navigator.languages),
  );
  const [theme, setThemeState] = useState<Theme>(() => parseTheme(stored(THEME_KEY)) ?? "system");
  const signedIn = session.status === "signedIn";
  // a switch made while the account's choices are being read wins over them
  const chosen = useRef({ language: false, theme: false });
  const userId = session.claims?.sub;

  useEffect(() => applyDocumentLanguage(document, language), [language]);
  useEffect(() => applyDocumentTheme(document, theme), [theme]);

  // signed in: the user's own choices win over this browser's
  useEffect(() => {
    if (!signedIn) return;
    let live = true;
    chosen.current = { language: false, theme: false };
    void unwrap(api.GET("/api/users/v1/profile"))
      .then((profile) => {
        const l = parseLanguage(profile.language);
        if (live && l && !chosen.current.language) {
          setLanguageState(l);
          store(LANGUAGE_KEY, l);
        }
      })
      .catch(() => undefined);
    void unwrap(api.GET("/api/users/v1/settings"))
      .then((settings) => {
        const th = parseTheme(settings.theme);
        if (live && th && !chosen.current.theme) {
          setThemeState(th);
          store(THEME_KEY, th);
        }
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api, signedIn, userId]);

  const setLanguage = useCallback(
    async (next: Language) => {
      chosen.current.language = true;
      setLanguageState(next);
      store(LANGUAGE_KEY, next);
      if (signedIn) await unwrap(api.PATCH("/api/users/v1/profile", { body: { language: next } }));
    },
    [api, signedIn],
  );

  const setTheme = useCallback(
    async (next: Theme) => {
      chosen.current.theme = true;
      setThemeState(next);
      store(THEME_KEY, next);
      if (!signedIn) return;
      // settings is one JSON object shared by every UI preference: keep the others
      const current = await unwrap(api.GET("/api/users/v1/settings")).catch(() => ({}));
      await unwrap(api.PUT("/api/users/v1/settings", { body: { ...current, theme: next } }));
    },
    [api, signedIn],
  );

  const value = useMemo<I18n>(
    () => ({ language, theme, t: (key, params) => translate(language, key, params), setLanguage, setTheme }),
    [language, theme, setLanguage, setTheme],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** Language, theme and `t()`; English and the device theme outside a provider (tests). */
export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (value) return value;
  return {
    language: "en",
    theme: "system",
    t: (key, params) => translate("en", key, params),
    setLanguage: () => Promise.resolve(),
    setTheme: () => Promise.resolve(),
  };
}
