import { describe, expect, it, vi } from "vitest";
import type { io } from "socket.io-client";
import { StreamClient, type TokenSource } from "./socket";

type Handler = (...args: unknown[]) => void;

/** Just enough of a socket.io-client Socket to drive StreamClient. */
class FakeSocket {
  connected = false;
  active = true;
  emitted: [string, unknown][] = [];
  handlers = new Map<string, Set<Handler>>();
  auth: (cb: (data: object) => void) => void;
  connects = 0;

  constructor(options: { auth: (cb: (data: object) => void) => void }) {
    this.auth = options.auth;
  }
  on(event: string, handler: Handler) {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    return this;
  }
  off(event: string, handler: Handler) {
    this.handlers.get(event)?.delete(handler);
    return this;
  }
  emit(event: string, data: unknown) {
    this.emitted.push([event, data]);
    return this;
  }
  acks: [string, unknown][] = [];
  ackAnswer: object = { result: {} };
  timeout() {
    return {
      emitWithAck: (event: string, data: unknown) => {
        this.acks.push([event, data]);
        return Promise.resolve(this.ackAnswer);
      },
    };
  }
  fire(event: string, ...args: unknown[]) {
    this.handlers.get(event)?.forEach((h) => h(...args));
  }
  connect() {
    this.connects += 1;
    return this;
  }
  disconnect() {
    this.connected = false;
    return this;
  }
  /** the server accepted the connection */
  up() {
    this.connected = true;
    this.fire("connect");
  }
  down(reason: string) {
    this.connected = false;
    this.fire("disconnect", reason);
  }
  lastAuth(): object {
    let out: object = {};
    this.auth((data) => (out = data));
    return out;
  }
}

function make(session?: TokenSource) {
  const made: FakeSocket[] = [];
  const connect = ((_url: string, options: { auth: (cb: (data: object) => void) => void }) => {
    const socket = new FakeSocket(options);
    made.push(socket);
    return socket;
  }) as unknown as typeof io;
  const client = new StreamClient({ url: "http://x", connect, session });
  const socket = made[0];
  if (!socket) throw new Error("no socket");
  return { client, socket };
}

describe("StreamClient", () => {
  it("subscribes once per stream, hands out messages, unsubscribes with the last listener", () => {
    const { client, socket } = make();
    socket.up();
    const a = vi.fn();
    const b = vi.fn();
    const offA = client.stream("btcaed@trade", a);
    const offB = client.stream("btcaed@trade", b);
    expect(socket.emitted).toEqual([["subscribe", { streams: ["btcaed@trade"] }]]);
    socket.fire("stream", { stream: "btcaed@trade", data: [1] });
    socket.fire("stream", { stream: "ethaed@trade", data: [2] });
    expect(a).toHaveBeenCalledWith([1]);
    expect(b).toHaveBeenCalledTimes(1);
    offA();
    expect(socket.emitted).toHaveLength(1);
    offB();
    expect(socket.emitted[1]).toEqual(["unsubscribe", { streams: ["btcaed@trade"] }]);
  });

  it("subscribes every stream again after a reconnect and passes snapshots on", () => {
    const { client, socket } = make();
    const onSnapshot = vi.fn();
    client.stream("btcaed@depth@100ms", () => undefined, onSnapshot);
    client.stream("btcaed@ticker", () => undefined);
    expect(socket.emitted).toEqual([]); // not connected yet
    socket.up();
    expect(socket.emitted).toEqual([["subscribe", { streams: ["btcaed@depth@100ms", "btcaed@ticker"] }]]);
    const statuses: string[] = [];
    client.onStatus((s) => statuses.push(s));
    socket.down("transport close");
    socket.up();
    expect(statuses).toEqual(["disconnected", "connected"]);
    expect(socket.emitted).toHaveLength(2);
    const snapshot = { lastUpdateId: 5, bids: [], asks: [] };
    socket.fire("snapshot", { stream: "btcaed@depth@100ms", data: snapshot });
    expect(onSnapshot).toHaveBeenCalledWith(snapshot);
  });

  it("connects with the current token and reconnects when the user signs in", () => {
    let token: string | null = null;
    const listeners = new Set<() => void>();
    const session: TokenSource = {
      getAccessToken: () => token,
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      refresh: () => Promise.resolve(token),
    };
    const { socket } = make(session);
    expect(socket.lastAuth()).toEqual({});
    socket.up();
    token = "t1";
    listeners.forEach((l) => l());
    expect(socket.lastAuth()).toEqual({ token: "t1" });
    expect(socket.connects).toBe(2); // reconnected to join the private room
  });

  it("comes back after the server ended the connection", () => {
    vi.useFakeTimers();
    try {
      const { socket } = make();
      socket.up();
      socket.down("io server disconnect"); // socket.io does not retry this one itself
      expect(socket.connects).toBe(1);
      vi.advanceTimersByTime(600);
      return Promise.resolve().then(() => {
        expect(socket.connects).toBe(2);
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends a refreshed token with authenticate, and reconnects if it is refused", async () => {
    let token: string | null = "t1";
    const listeners = new Set<() => void>();
    const session: TokenSource = {
      getAccessToken: () => token,
      subscribe: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      refresh: () => Promise.resolve(token),
    };
    const { socket } = make(session);
    expect(socket.lastAuth()).toEqual({ token: "t1" });
    socket.up();
    token = "t2";
    listeners.forEach((l) => l());
    expect(socket.acks).toEqual([["authenticate", { token: "t2" }]]);
    await Promise.resolve();
    expect(socket.connects).toBe(1); // accepted: the same socket goes on
    socket.ackAnswer = { error: { code: "TOKEN_REVOKED" } };
    token = "t3";
    listeners.forEach((l) => l());
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(socket.connects).toBe(2); // refused: a fresh connection with the new token
    expect(socket.lastAuth()).toEqual({ token: "t3" });
  });
});
