import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/auth/context";

/** Whether the embedded-only dev mailbox answers here (embedded mode, on loopback). */
export function useMailboxAvailable(): boolean {
  const api = useApi();
  const query = useQuery({
    queryKey: ["dev-mailbox-available"],
    queryFn: async () => {
      const { response } = await api.GET("/api/notifications/v1/dev/mailbox", {
        params: { query: { limit: 1 } },
      });
      return response.ok;
    },
    staleTime: Infinity,
    retry: false,
  });
  return query.data === true;
}
