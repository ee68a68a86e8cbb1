import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/auth/context";
import { consoleApi } from "../api/admin";
import { useCan } from "./useCan";

type Account = Awaited<ReturnType<typeof consoleApi.lookup>>["items"][number];

/**
 * `(userId) => e-mail` for the users a staff list shows (one lookup per distinct set of
 * ids, at most 200 a request); the id itself until the answer comes, or without
 * `users.read`, or for an id auth does not know.
 */
export function useEmails(userIds: readonly string[]): (userId: string) => string {
  const api = useApi();
  const allowed = useCan("users.read");
  const ids = [...new Set(userIds)].sort();
  const found = useQuery({
    queryKey: ["admin", "emails", ids],
    queryFn: async () => {
      const out: Account[] = [];
      for (let i = 0; i < ids.length; i += 200) out.push(...(await consoleApi.lookup(api, ids.slice(i, i + 200))).items);
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
