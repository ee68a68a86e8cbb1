import { useCallback, useSyncExternalStore } from "react";

const KEY = "burency.favouriteMarkets";
const listeners = new Set<() => void>();
let cached: { raw: string | null; list: string[] } = { raw: null, list: [] };

function read(): string[] {
  const raw = window.localStorage.getItem(KEY);
  if (raw !== cached.raw) {
    let list: string[] = [];
    try {
      const parsed: unknown = JSON.parse(raw ?? "[]");
      if (Array.isArray(parsed)) list = parsed.filter((x): x is string => typeof x === "string");
    } catch {
      list = [];
    }
    cached = { raw, list };
  }
  return cached.list;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === KEY) listener();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}

/** Favourite markets (symbols like BTCAED), kept in this browser's localStorage. */
export function useFavourites(): { favourites: string[]; toggle: (symbol: string) => void } {
  const favourites = useSyncExternalStore(subscribe, read);
  const toggle = useCallback((symbol: string) => {
    const now = read();
    const next = now.includes(symbol) ? now.filter((s) => s !== symbol) : [...now, symbol];
    window.localStorage.setItem(KEY, JSON.stringify(next));
    listeners.forEach((l) => l());
  }, []);
  return { favourites, toggle };
}
