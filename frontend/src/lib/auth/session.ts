/**
 * The signed-in session: the access token lives in memory only; the refresh token is
 * kept in localStorage so a reload (or another tab) stays signed in.
 *
 * - Silent refresh: a timer refreshes a minute before the access token expires, and a
 *   request answered 401 refreshes once and is retried (see client.ts).
 * - One refresh at a time: in this tab (one shared promise) and across tabs (a Web Lock;
 *   the token is re-read from storage inside the lock, so a tab that waited uses the
 *   token another tab just rotated instead of presenting the old one).
 * - Reuse detection: the auth service revokes the session when an old refresh token is
 *   presented again (REFRESH_TOKEN_REUSED). Someone else may hold our token, so we end
 *   every session (logout-all, while our access token still works) and sign out here;
 *   other tabs follow through the storage event.
 */
import { readClaims, type AccessClaims } from "./jwt";

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface SessionState {
  status: "loading" | "signedIn" | "signedOut";
  claims: AccessClaims | null;
  email: string | null;
  /** Why the last session ended, when it was not the user's own choice. */
  endedBecause: string | null;
}

export interface SessionDeps {
  fetch: typeof fetch;
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  /** Runs `fn` holding an exclusive lock shared by this origin's tabs (Web Locks). */
  withLock: <T>(fn: () => Promise<T>) => Promise<T>;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
}

export const REFRESH_KEY = "burency.refreshToken";
/** `endedBecause` of a sign-out the user asked for (not an expiry or a revocation). */
export const SIGNED_OUT = "SIGNED_OUT";
export const EMAIL_KEY = "burency.email";
const REFRESH_PATH = "/api/auth/v1/token/refresh";
const EARLY_MS = 60_000;

export class RefreshFailed extends Error {
  constructor(readonly code: string | undefined, readonly status: number) {
    super(code ?? `refresh failed (${status})`);
    this.name = "RefreshFailed";
  }
}

export class Session {
  private accessToken: string | null = null;
  private state: SessionState = { status: "loading", claims: null, email: null, endedBecause: null };
  private listeners = new Set<() => void>();
  private inFlight: Promise<string | null> | null = null;
  private timer: unknown = null;

  constructor(private readonly deps: SessionDeps) {}

  /** For useSyncExternalStore. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getState = (): SessionState => this.state;

  getAccessToken(): string | null {
    return this.accessToken;
  }

  /** On start-up: a stored refresh token becomes a session, silently. */
  async restore(): Promise<void> {
    if (!this.deps.storage.getItem(REFRESH_KEY)) {
      this.setState({ status: "signedOut", claims: null, email: null, endedBecause: null });
      return;
    }
    await this.refresh();
  }

  /** After login: keep the pair and plan the next refresh. */
  signIn(tokens: Tokens, email: string): void {
    this.deps.storage.setItem(EMAIL_KEY, email);
    this.accept(tokens);
  }

  /** Ends the session here (the caller tells the server first). */
  signOut(endedBecause: string | null = null): void {
    this.accessToken = null;
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
    this.deps.storage.removeItem(REFRESH_KEY);
    this.setState({ status: "signedOut", claims: null, email: null, endedBecause });
  }

  /** Another tab signed out (its refresh token left storage): follow it. */
  onStorageChange(key: string | null): void {
    if ((key === REFRESH_KEY || key === null) && !this.deps.storage.getItem(REFRESH_KEY)) {
      if (this.state.status === "signedIn") this.signOut(null);
    }
  }

  /**
   * A fresh access token, or null when the session has ended. Concurrent callers share
   * one refresh.
   */
  refresh(): Promise<string | null> {
    this.inFlight ??= this.deps
      .withLock(() => this.refreshLocked())
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  private async refreshLocked(): Promise<string | null> {
    const stored = this.deps.storage.getItem(REFRESH_KEY);
    if (!stored) {
      this.signOut(null);
      return null;
    }
    let response: Response;
    try {
      response = await this.deps.fetch(REFRESH_PATH, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ refreshToken: stored }),
      });
    } catch {
      // offline: keep the refresh token, try again later
      if (this.state.status === "loading") this.setState({ ...this.state, status: "signedOut" });
      return null;
    }
    if (response.ok) {
      this.accept((await response.json()) as Tokens);
      return this.accessToken;
    }
    const body = (await response.json().catch(() => ({}))) as { code?: string };
    if (response.status === 401 || response.status === 400) {
      await this.endAfterRefused(body.code);
      return null;
    }
    if (this.state.status === "loading") this.setState({ ...this.state, status: "signedOut" });
    throw new RefreshFailed(body.code, response.status);
  }

  private async endAfterRefused(code: string | undefined): Promise<void> {
    if (code === "REFRESH_TOKEN_REUSED") {
      const token = this.accessToken;
      if (token) {
        await this.deps
          .fetch("/api/auth/v1/logout-all", {
            method: "POST",
            headers: { authorization: `Bearer ${token}` },
          })
          .catch(() => undefined);
      }
      this.signOut("REFRESH_TOKEN_REUSED");
      return;
    }
    this.signOut(this.state.status === "signedIn" ? (code ?? "REFRESH_TOKEN_INVALID") : null);
  }

  private accept(tokens: Tokens): void {
    this.accessToken = tokens.accessToken;
    this.deps.storage.setItem(REFRESH_KEY, tokens.refreshToken);
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    const delay = Math.max(5_000, tokens.expiresIn * 1000 - EARLY_MS);
    this.timer = this.deps.setTimer(() => {
      this.refresh().catch(() => undefined);
    }, delay);
    this.setState({
      status: "signedIn",
      claims: readClaims(tokens.accessToken),
      email: this.deps.storage.getItem(EMAIL_KEY),
      endedBecause: null,
    });
  }

  private setState(next: SessionState): void {
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}

/** The browser's session (Web Locks where the browser has them). */
export function browserSession(): Session {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  const session = new Session({
    fetch: (input, init) => fetch(input, init),
    storage: window.localStorage,
    withLock: locks
      ? <T,>(fn: () => Promise<T>) => locks.request("burency.refresh", fn) as Promise<T>
      : (fn) => fn(),
    setTimer: (fn, ms) => window.setTimeout(fn, ms),
    clearTimer: (handle) => window.clearTimeout(handle as number),
  });
  window.addEventListener("storage", (event) => session.onStorageChange(event.key));
  return session;
}
