import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { authFetch } from "../../../lib/api/client";
import { ApiError, toProblem } from "../../../lib/api/problem";
import { useSession } from "../../../lib/auth/context";
import type { Session } from "../../../lib/auth/session";
import { useCan } from "./useCan";

interface Account {
  id: string;
  email: string;
}

/** auth's staff lookup (`users.read`): the accounts of `ids`, unknown ids left out. */
export async function lookupUsers(session: Session, ids: readonly string[]): Promise<Account[]> {
  const request = new Request(new URL("/api/auth/v1/admin/users/lookup", window.location.origin), {
    method: "POST",
    body: JSON.stringify({ ids }),
    headers: { "content-type": "application/json" },
  });
  const response = await authFetch(session)(request);
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(toProblem(response.status, body));
  return (body as { items: Account[] }).items;
}

/**
 * `(userId) => e-mail` for the users a staff list shows (one lookup per distinct set of
 * ids, at most 200 a request); the id itself until the answer comes, or without
 * `users.read`, or for an id auth does not know.
 */
export function useEmails(userIds: readonly string[]): (userId: string) => string {
  const session = useSession();
  const allowed = useCan("users.read");
  const ids = [...new Set(userIds)].sort();
  const found = useQuery({
    queryKey: ["admin", "emails", ids],
    queryFn: async () => {
      const out: Account[] = [];
      for (let i = 0; i < ids.length; i += 200) out.push(...(await lookupUsers(session, ids.slice(i, i + 200))));
      return new Map(out.map((a) => [a.id, a.email]));
    },
    enabled: allowed && ids.length > 0,
    staleTime: 5 * 60_000,
    retry: false,
    // a next page keeps the e-mails already known while its own are looked up
    placeholderData: keepPreviousData,
  });
  return (userId) => found.data?.get(userId) ?? userId;
}
