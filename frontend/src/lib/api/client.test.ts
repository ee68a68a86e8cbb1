import { describe, expect, it, vi } from "vitest";
import type { Session } from "../auth/session";
import { authFetch } from "./client";

function fakeSession(token: string | null, fresh: string | null) {
  const refresh = vi.fn(() => Promise.resolve(fresh));
  const session = { getAccessToken: () => token, refresh } as unknown as Session;
  return { session, refresh };
}

describe("authFetch", () => {
  it("sends the access token, and after a 401 refreshes once and retries with the new one", async () => {
    const seen: (string | null)[] = [];
    const base = vi.fn((request: Request) => {
      seen.push(request.headers.get("authorization"));
      return Promise.resolve(new Response(null, { status: seen.length === 1 ? 401 : 200 }));
    });
    const { session, refresh } = fakeSession("old", "new");
    const f = authFetch(session, base as unknown as typeof fetch);
    const response = await f(new Request("http://x/api/banking/v1/accounts", { method: "POST", body: "{}" }));
    expect(response.status).toBe(200);
    expect(seen).toEqual(["Bearer old", "Bearer new"]);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("does not retry a failed sign-in, nor when the session cannot be refreshed", async () => {
    const base = vi.fn(() => Promise.resolve(new Response(null, { status: 401 })));
    const login = authFetch(fakeSession("t", "n").session, base);
    expect((await login(new Request("http://x/api/auth/v1/login", { method: "POST" }))).status).toBe(401);
    const ended = authFetch(fakeSession("t", null).session, base);
    expect((await ended(new Request("http://x/api/auth/v1/sessions"))).status).toBe(401);
    expect(base).toHaveBeenCalledTimes(2);
  });

  it("sends no authorization header when signed out", async () => {
    const base = vi.fn((request: Request) => {
      expect(request.headers.has("authorization")).toBe(false);
      return Promise.resolve(new Response(null, { status: 200 }));
    });
    await authFetch(fakeSession(null, null).session, base as unknown as typeof fetch)(new Request("http://x/api/trading/v1/markets"));
    expect(base).toHaveBeenCalledTimes(1);
  });
});
