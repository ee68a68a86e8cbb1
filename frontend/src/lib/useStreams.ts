/** React access to the app's Socket.IO connection (lib/socket.ts). */
import { useEffect, useRef, useSyncExternalStore } from "react";
import { useSession } from "./auth/context";
import { sharedStreamClient, type StreamClient, type StreamStatus } from "./socket";

export function useStreamClient(): StreamClient {
  return sharedStreamClient(useSession());
}

/** connecting / connected / disconnected, re-rendering on change. */
export function useStreamStatus(): StreamStatus {
  const client = useStreamClient();
  return useSyncExternalStore(
    (notify) => client.onStatus(notify),
    () => client.getStatus(),
  );
}

/**
 * Calls `onData` with every message of the public streams `names` while mounted (the
 * latest `onData` is used, so it may close over state without resubscribing).
 */
export function useStreams(names: readonly string[], onData: (stream: string, data: unknown) => void): void {
  const client = useStreamClient();
  const handler = useRef(onData);
  useEffect(() => {
    handler.current = onData;
  });
  const key = names.join(",");
  useEffect(() => {
    const list = key ? key.split(",") : [];
    const offs = list.map((name) => client.stream(name, (data) => handler.current(name, data)));
    return () => offs.forEach((off) => off());
  }, [client, key]);
}

/**
 * Calls `onReconnect` when the connection comes back after it was lost (not on the first
 * connect): messages sent meanwhile are lost, so what they would have changed is read again.
 */
export function useOnReconnect(onReconnect: () => void): void {
  const client = useStreamClient();
  const handler = useRef(onReconnect);
  useEffect(() => {
    handler.current = onReconnect;
  });
  useEffect(() => {
    let wasDown = false;
    return client.onStatus((status) => {
      if (status === "disconnected") wasDown = true;
      if (status === "connected" && wasDown) {
        wasDown = false;
        handler.current();
      }
    });
  }, [client]);
}
