/**
 * The app's language, theme and time zone: from this browser (localStorage, then the
 * browser's languages and zone), replaced by the user's own once signed in (the users
 * service: profile `language` and `timezone`, settings `theme`), and saved there when the
 * user switches. Applies `lang`/`dir` and `data-theme` to `<html>` at once, and the zone
 * and language to every `formatTime` (lib/format.ts).
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { unwrap } from "./api/client";
import { useApi, useSessionState } from "./auth/context";
import { formatTime, setTimeDisplay, timeLocale, validTimeZone, type TimeDisplay } from "./format";
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
/** The settings page's query key: a profile saved there (time zone…) applies at once. */
export const PROFILE_QUERY_KEY = ["settings", "profile"] as const;

interface I18n {
  language: Language;
  theme: Theme;
  t: (key: MessageKey, params?: Record<string, string | number>) => string;
  /** switches at once; saved to the profile when signed in (the promise settles then) */
  setLanguage: (language: Language) => Promise<void>;
  setTheme: (theme: Theme) => Promise<void>;
  /** the user's saved zone when the browser knows it; undefined: the browser's own */
  timeZone: string | undefined;
  /** zone and locale of displayed times (`formatTime(value, display)`) */
  timeDisplay: TimeDisplay;
  /** date and time in the user's zone and language */
  formatTime: (value: string | number) => string;
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

  // signed in: the user's own choices win over this browser's. The profile is read with
  // the settings page's query key, so a zone or language saved there applies at once.
  const queryClient = useQueryClient();
  const profile = useQuery({
    queryKey: PROFILE_QUERY_KEY,
    queryFn: () => unwrap(api.GET("/api/users/v1/profile")),
    enabled: signedIn,
    retry: false,
    staleTime: 60_000,
  });
  const profileLanguage = signedIn ? parseLanguage(profile.data?.language) : null;
  const timeZone = signedIn ? validTimeZone(profile.data?.timezone) : undefined;

  useEffect(() => {
    chosen.current = { language: false, theme: false };
  }, [userId]);

  useEffect(() => {
    if (profileLanguage && !chosen.current.language) {
      setLanguageState(profileLanguage);
      store(LANGUAGE_KEY, profileLanguage);
    }
  }, [profileLanguage, userId]);

  useEffect(() => {
    if (!signedIn) return;
    let live = true;
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
      if (!signedIn) return;
      // keepalive: a switch followed at once by a navigation (or closing the tab) is still saved
      const saved = await unwrap(api.PATCH("/api/users/v1/profile", { body: { language: next }, keepalive: true }));
      queryClient.setQueryData(PROFILE_QUERY_KEY, saved);
      // the notifications service renders the feed in the profile's language: read it again
      void queryClient.invalidateQueries({ queryKey: ["notifications", "feed"] });
    },
    [api, signedIn, queryClient],
  );

  const setTheme = useCallback(
    async (next: Theme) => {
      chosen.current.theme = true;
      setThemeState(next);
      store(THEME_KEY, next);
      if (!signedIn) return;
      // settings is one JSON object shared by every UI preference: a merge patch (RFC 7396)
      // changes the theme alone, so another tab's preference saved meanwhile is kept
      await unwrap(api.PATCH("/api/users/v1/settings", { body: { theme: next }, keepalive: true }));
    },
    [api, signedIn],
  );

  const timeDisplay = useMemo<TimeDisplay>(() => ({ timeZone, locale: timeLocale(language) }), [timeZone, language]);
  // set before the children render, so every plain formatTime() call of this render agrees
  setTimeDisplay(timeDisplay);
  const value = useMemo<I18n>(
    () => ({
      language,
      theme,
      t: (key, params) => translate(language, key, params),
      setLanguage,
      setTheme,
      timeZone,
      timeDisplay,
      formatTime: (v) => formatTime(v, timeDisplay),
    }),
    [language, theme, setLanguage, setTheme, timeZone, timeDisplay],
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
    timeZone: undefined,
    timeDisplay: {},
    formatTime: (v) => formatTime(v, {}),
  };
}
