import { describe, expect, it, vi } from "vitest";
import { REFRESH_KEY, Session, type SessionDeps } from "./session";

function token(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "EdDSA" })}.${part(claims)}.sig`;
}

const ACCESS = token({ sub: "u1", roles: ["user"], email_verified: true, exp: 2_000_000_000 });

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function setup(answers: ((url: string, init?: RequestInit) => Response)[]) {
  const storage = memoryStorage();
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetch = vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
    calls.push({ url, init });
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected fetch ${url}`);
    return Promise.resolve(answer(url, init));
  });
  const deps: SessionDeps = {
    fetch: fetch,
    storage,
    withLock: (fn) => fn(),
    setTimer: () => 1,
    clearTimer: () => undefined,
  };
  return { session: new Session(deps), storage, calls };
}

const pair = (n: number) => ({ accessToken: ACCESS, refreshToken: `r${n}`, expiresIn: 900 });

describe("Session", () => {
  it("starts signed out without a stored refresh token, and makes no request", async () => {
    const { session, calls } = setup([]);
    await session.restore();
    expect(session.getState().status).toBe("signedOut");
    expect(calls).toHaveLength(0);
  });

  it("restores a stored session silently and keeps the rotated refresh token", async () => {
    const { session, storage, calls } = setup([() => json(200, pair(2))]);
    storage.setItem(REFRESH_KEY, "r1");
    await session.restore();
    expect(session.getState().status).toBe("signedIn");
    expect(session.getState().claims?.roles).toEqual(["user"]);
    expect(session.getAccessToken()).toBe(ACCESS);
    expect(storage.getItem(REFRESH_KEY)).toBe("r2");
    expect(JSON.parse(calls[0]?.init?.body as string)).toEqual({ refreshToken: "r1" });
  });

  it("shares one refresh between concurrent callers (a rotated token is never presented twice)", async () => {
    const { session, calls } = setup([() => json(200, pair(3))]);
    session.signIn(pair(2), "a@example.com");
    const [a, b] = await Promise.all([session.refresh(), session.refresh()]);
    expect(a).toBe(ACCESS);
    expect(b).toBe(ACCESS);
    expect(calls).toHaveLength(1);
  });

  it("on reuse detection ends every session (logout-all with the access token) and signs out", async () => {
    const { session, storage, calls } = setup([
      () => json(401, { status: 401, code: "REFRESH_TOKEN_REUSED" }),
      () => json(200, { revokedSessions: 2 }),
    ]);
    session.signIn(pair(2), "a@example.com");
    expect(await session.refresh()).toBeNull();
    expect(calls[1]?.url).toBe("/api/auth/v1/logout-all");
    expect(new Headers(calls[1]?.init?.headers).get("authorization")).toBe(`Bearer ${ACCESS}`);
    expect(session.getState()).toMatchObject({ status: "signedOut", endedBecause: "REFRESH_TOKEN_REUSED" });
    expect(storage.getItem(REFRESH_KEY)).toBeNull();
    expect(session.getAccessToken()).toBeNull();
  });

  it("an expired or revoked refresh token signs out with the reason", async () => {
    const { session } = setup([() => json(401, { status: 401, code: "REFRESH_TOKEN_EXPIRED" })]);
    session.signIn(pair(2), "a@example.com");
    await session.refresh();
    expect(session.getState()).toMatchObject({ status: "signedOut", endedBecause: "REFRESH_TOKEN_EXPIRED" });
  });

  it("keeps the refresh token when the network is down (try again later)", async () => {
    const { session, storage } = setup([
      () => {
        throw new TypeError("Failed to fetch");
      },
    ]);
    session.signIn(pair(2), "a@example.com");
    expect(await session.refresh()).toBeNull();
    expect(storage.getItem(REFRESH_KEY)).toBe("r2");
  });

  it("follows another tab's sign-out", () => {
    const { session, storage } = setup([]);
    session.signIn(pair(2), "a@example.com");
    storage.removeItem(REFRESH_KEY);
    session.onStorageChange(REFRESH_KEY);
    expect(session.getState().status).toBe("signedOut");
  });
});

describe("Session timers", () => {
  it("plans the silent refresh a minute before the access token expires, and cancels it on sign-out", () => {
    const planned: number[] = [];
    const cleared: unknown[] = [];
    const storage = memoryStorage();
    const session = new Session({
      fetch: vi.fn(),
      storage,
      withLock: (fn) => fn(),
      setTimer: (_fn, ms) => {
        planned.push(ms);
        return planned.length;
      },
      clearTimer: (handle) => cleared.push(handle),
    });
    session.signIn(pair(2), "a@example.com");
    expect(planned).toEqual([840_000]);
    session.signOut(null);
    expect(cleared).toEqual([1]);
    expect(storage.getItem(REFRESH_KEY)).toBeNull();
  });
});
