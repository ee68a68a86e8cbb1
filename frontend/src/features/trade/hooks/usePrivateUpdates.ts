import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useStreamClient } from "../../../lib/useStreams";

/**
 * The signed-in user's `executionReport` and `outboundAccountPosition` events refresh
 * their orders, fills and balances (one refetch per burst); so does a reconnect, since
 * events sent while disconnected are lost.
 */
export function usePrivateUpdates(enabled: boolean): void {
  const client = useStreamClient();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    let timer: number | null = null;
    let wasDown = false;
    const refresh = () => {
      if (timer !== null) return;
      timer = window.setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: ["trade", "private"] });
        void queryClient.invalidateQueries({ queryKey: ["wallet", "spot"] });
      }, 150);
    };
    const offs = [
      client.on("executionReport", refresh),
      client.on("outboundAccountPosition", refresh),
      client.onStatus((status) => {
        if (status === "disconnected") wasDown = true;
        if (status === "connected" && wasDown) {
          wasDown = false;
          refresh();
        }
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      if (timer !== null) window.clearTimeout(timer);
    };
  }, [client, queryClient, enabled]);
}
