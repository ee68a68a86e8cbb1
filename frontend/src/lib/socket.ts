/**
 * The one Socket.IO connection of the app (gateway `/socket.io/`, docs in
 * services/gateway/src/burency_gateway/realtime*.py):
 *
 * - public streams by Binance name (`btcaed@depth@100ms`, `btcaed@ticker`…): `stream()`
 *   subscribes (reference-counted: two components on one stream make one subscription)
 *   and hands every `stream` event's `data` to the listener; diff-depth streams also get
 *   the `snapshot` event the gateway sends after each subscribe;
 * - private events of the signed-in user (`executionReport`, `outboundAccountPosition`)
 *   via `on()`: the socket connects with the access token when there is one;
 * - recovery by itself: every (re)connect subscribes every stream again (the gateway then
 *   sends fresh depth snapshots), a refused or server-ended connection is retried with
 *   backoff and the current token, a refreshed token is sent with `authenticate` so the
 *   socket outlives the token it was opened with, and a sign-in or sign-out reconnects.
 */
import { io, type Socket } from "socket.io-client";
import type { DepthSnapshot } from "./book";

export type StreamStatus = "connecting" | "connected" | "disconnected";

type Listener = (data: unknown) => void;

interface Entry {
  listeners: Set<Listener>;
  snapshotListeners: Set<(snapshot: DepthSnapshot) => void>;
}

export interface TokenSource {
  getAccessToken(): string | null;
  subscribe(listener: () => void): () => void;
  refresh(): Promise<string | null>;
}

export interface StreamClientOptions {
  url?: string;
  session?: TokenSource;
  /** for tests: a socket.io-client `io` */
  connect?: typeof io;
}

export class StreamError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = "StreamError";
  }
}

const RETRY_MAX_MS = 10_000;

export class StreamClient {
  private readonly socket: Socket;
  private readonly streams = new Map<string, Entry>();
  private readonly statusListeners = new Set<(status: StreamStatus) => void>();
  private currentStatus: StreamStatus = "connecting";
  private token: string | null;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly unsubscribeSession: () => void;

  constructor(private readonly options: StreamClientOptions = {}) {
    const connect = options.connect ?? io;
    this.token = options.session?.getAccessToken() ?? null;
    this.socket = connect(options.url ?? window.location.origin, {
      path: "/socket.io/",
      transports: ["websocket", "polling"],
      autoConnect: false,
      // read at every (re)connect: the freshest token, or none (public streams only)
      auth: (cb) => cb(this.token ? { token: this.token } : {}),
    });
    this.socket.on("connect", () => this.onConnect());
    this.socket.on("disconnect", (reason) => this.onDisconnect(reason));
    this.socket.on("connect_error", () => this.onConnectError());
    this.socket.on("stream", (message: { stream?: string; data?: unknown }) => {
      const entry = message.stream ? this.streams.get(message.stream) : undefined;
      entry?.listeners.forEach((l) => l(message.data));
    });
    this.socket.on("snapshot", (message: { stream?: string; data?: DepthSnapshot }) => {
      const entry = message.stream ? this.streams.get(message.stream) : undefined;
      if (entry && message.data) entry.snapshotListeners.forEach((l) => l(message.data as DepthSnapshot));
    });
    this.unsubscribeSession = options.session?.subscribe(() => this.onSessionChange()) ?? (() => undefined);
    this.socket.connect();
  }

  getStatus(): StreamStatus {
    return this.currentStatus;
  }

  onStatus(listener: (status: StreamStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Listens to a public stream (subscribing on first use); returns the unsubscribe. */
  stream(name: string, listener: Listener, onSnapshot?: (snapshot: DepthSnapshot) => void): () => void {
    let entry = this.streams.get(name);
    const fresh = !entry;
    if (!entry) {
      entry = { listeners: new Set(), snapshotListeners: new Set() };
      this.streams.set(name, entry);
    }
    entry.listeners.add(listener);
    if (onSnapshot) entry.snapshotListeners.add(onSnapshot);
    if (fresh && this.socket.connected) this.socket.emit("subscribe", { streams: [name] });
    const current = entry;
    return () => {
      current.listeners.delete(listener);
      if (onSnapshot) current.snapshotListeners.delete(onSnapshot);
      if (current.listeners.size === 0 && this.streams.get(name) === current) {
        this.streams.delete(name);
        if (this.socket.connected) this.socket.emit("unsubscribe", { streams: [name] });
      }
    };
  }

  /** A fresh depth snapshot of a subscribed diff-depth stream (after a gap). */
  async requestSnapshot(name: string): Promise<DepthSnapshot> {
    const answer = (await this.socket.timeout(5000).emitWithAck("snapshot", { stream: name })) as {
      result?: { data: DepthSnapshot };
      error?: { code: string; message: string };
    };
    if (answer.result) return answer.result.data;
    throw new StreamError(answer.error?.code ?? "SNAPSHOT_UNAVAILABLE", answer.error?.message ?? "no snapshot");
  }

  /** A private event of the signed-in user. */
  on(event: string, listener: Listener): () => void {
    this.socket.on(event, listener);
    return () => this.socket.off(event, listener);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.unsubscribeSession();
    this.socket.disconnect();
  }

  private setStatus(status: StreamStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.statusListeners.forEach((l) => l(status));
  }

  private onConnect(): void {
    this.retries = 0;
    const names = [...this.streams.keys()];
    // the gateway answers a depth stream's subscribe with a fresh snapshot
    for (let i = 0; i < names.length; i += 50) this.socket.emit("subscribe", { streams: names.slice(i, i + 50) });
    this.setStatus("connected");
  }

  private onDisconnect(reason: string): void {
    this.setStatus("disconnected");
    // the server ended it (token expired or revoked): socket.io does not come back alone
    if (reason === "io server disconnect" && !this.closed) this.retryLater(true);
  }

  private onConnectError(): void {
    this.setStatus("disconnected");
    // refused by the server (a bad or expired token): not retried by socket.io itself
    if (!this.socket.active && !this.closed) this.retryLater(true);
  }

  private retryLater(refreshToken: boolean): void {
    if (this.retryTimer) return;
    const delay = Math.min(RETRY_MAX_MS, 500 * 2 ** this.retries);
    this.retries += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void (async () => {
        if (refreshToken && this.token && this.options.session) {
          this.token = await this.options.session.refresh().catch(() => null);
        }
        if (!this.closed) {
          this.setStatus("connecting");
          this.socket.connect();
        }
      })();
    }, delay);
  }

  private onSessionChange(): void {
    const next = this.options.session?.getAccessToken() ?? null;
    if (next === this.token) return;
    const previous = this.token;
    this.token = next;
    if (previous && next && this.socket.connected) {
      // same session, fresher token: move the socket's deadline; on refusal, reconnect
      void this.socket
        .timeout(5000)
        .emitWithAck("authenticate", { token: next })
        .then((answer: { error?: unknown }) => {
          if (answer.error) this.reconnect();
        })
        .catch(() => undefined);
      return;
    }
    this.reconnect(); // signed in or out: the private room changes
  }

  private reconnect(): void {
    this.socket.disconnect();
    this.setStatus("connecting");
    this.socket.connect();
  }
}

let shared: StreamClient | null = null;

/** The app's connection, made on first use. */
export function sharedStreamClient(session: TokenSource): StreamClient {
  shared ??= new StreamClient({ session });
  return shared;
}

/** `BTCAED` → `btcaed@<stream>`. */
export function streamName(symbol: string, stream: string): string {
  return `${symbol.toLowerCase()}@${stream}`;
}
