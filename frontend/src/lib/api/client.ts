/**
 * The typed API client: openapi-fetch over the types generated from the gateway's merged
 * OpenAPI (schema.d.ts, `npm run gen:api`), with the access token added to each request
 * and one silent refresh + retry when a request is answered 401.
 */
import createClient, { type Client } from "openapi-fetch";
import type { Session } from "../auth/session";
import { ApiError, toProblem } from "./problem";
import type { paths } from "./schema";

export type Api = Client<paths>;

const NO_RETRY = ["/api/auth/v1/login", "/api/auth/v1/token/refresh", "/api/auth/v1/register"];

export function authFetch(session: Session, base: typeof fetch = fetch) {
  return async (request: Request): Promise<Response> => {
    const retry = request.clone();
    const token = session.getAccessToken();
    if (token) request.headers.set("authorization", `Bearer ${token}`);
    const response = await base(request);
    const path = new URL(request.url).pathname;
    if (response.status !== 401 || !token || NO_RETRY.includes(path)) return response;
    const fresh = await session.refresh().catch(() => null);
    if (!fresh) return response;
    retry.headers.set("authorization", `Bearer ${fresh}`);
    return base(retry);
  };
}

export function createApi(session: Session, baseUrl: string = window.location.origin): Api {
  const f = authFetch(session);
  return createClient<paths>({ baseUrl, fetch: (request) => f(request) });
}

/** The data of an openapi-fetch answer, or an ApiError carrying its problem+json. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (err) {
    throw new ApiError({ status: 0, detail: err instanceof Error ? err.message : String(err) });
  }
  if (!result.response.ok) throw new ApiError(toProblem(result.response.status, result.error));
  return result.data as T;
}

/** A fresh Idempotency-Key for one user action (money endpoints require one). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
