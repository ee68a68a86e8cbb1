import { useEffect, useState } from "react";
import { useApi } from "../../../lib/auth/context";
import { DepthSync, type DepthDiff, type DepthSnapshot, type SyncResult } from "../../../lib/book";
import { streamName } from "../../../lib/socket";
import { useStreamClient } from "../../../lib/useStreams";
import { tradeApi } from "../api/trade";

const WATCH_MS = 1000;
const RETRY_MS = 1500;

export interface OrderBookState {
  sync: DepthSync;
  /** changes whenever the book does */
  version: number;
  /** false while waiting for a (fresh) snapshot: the book shown may be stale */
  live: boolean;
}

/**
 * The live book of `symbol`: the `@depth@100ms` stream on top of a snapshot, resynced
 * after a gap or a reconnect. The gateway sends a snapshot after every subscribe (so a
 * reconnect, which subscribes again, brings one); after a gap the hook asks the socket
 * for one, and falls back to REST `/depth` (taken after subscribing, so the rules hold).
 * A watchdog asks again while no snapshot has come for a while.
 */
export function useOrderBook(symbol: string): OrderBookState {
  const api = useApi();
  const client = useStreamClient();
  const [state, setState] = useState<OrderBookState>(() => ({ sync: new DepthSync(), version: 0, live: false }));

  useEffect(() => {
    const sync = new DepthSync();
    const name = streamName(symbol, "depth@100ms");
    let requesting = false;
    let lastAttempt = Date.now();
    const life = { stopped: false };
    const publish = () => {
      if (!life.stopped) setState({ sync, version: sync.version, live: sync.getState() === "synced" });
    };
    const handle = (result: SyncResult) => {
      if (result === "gap") void resync();
      if (result !== "buffered" && result !== "stale") publish();
    };
    const fetchSnapshot = async (): Promise<DepthSnapshot> => {
      try {
        return await client.requestSnapshot(name);
      } catch {
        return await tradeApi.depth(api, symbol);
      }
    };
    const resync = async () => {
      if (requesting || life.stopped) return;
      requesting = true;
      lastAttempt = Date.now();
      try {
        const snapshot = await fetchSnapshot();
        handle(sync.onSnapshot(snapshot));
      } catch {
        // the watchdog tries again
      } finally {
        requesting = false;
      }
    };
    const off = client.stream(
      name,
      (data) => handle(sync.onDiff(data as DepthDiff)),
      (snapshot) => handle(sync.onSnapshot(snapshot)),
    );
    const offStatus = client.onStatus((status) => {
      if (status !== "connected") {
        sync.reset(); // what comes after the reconnect needs its own snapshot
        publish();
      }
      lastAttempt = Date.now();
    });
    const watchdog = window.setInterval(() => {
      const waiting = sync.getState() === "awaitingSnapshot";
      if (waiting && client.getStatus() === "connected" && Date.now() - lastAttempt > RETRY_MS) void resync();
    }, WATCH_MS);
    publish();
    return () => {
      life.stopped = true;
      off();
      offStatus();
      window.clearInterval(watchdog);
    };
  }, [api, client, symbol]);

  return state;
}
