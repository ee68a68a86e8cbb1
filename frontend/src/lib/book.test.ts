import { describe, expect, it } from "vitest";
import { aggregate, applyDiff, bestPrices, bookFromSnapshot, DepthSync, groupingSteps, type DepthDiff, type Level } from "./book";

const snap = (lastUpdateId: number, bids: Level[], asks: Level[]) => ({ lastUpdateId, bids, asks });
const diff = (U: number, u: number, pu: number, b: Level[] = [], a: Level[] = []): DepthDiff => ({ U, u, pu, b, a });

describe("DepthSync", () => {
  it("buffers diffs until the snapshot, drops the old ones, applies the rest", () => {
    const sync = new DepthSync();
    expect(sync.onDiff(diff(9, 10, 8, [["100.00", "1"]]))).toBe("buffered");
    expect(sync.onDiff(diff(11, 12, 10, [["101.00", "2"]]))).toBe("buffered");
    expect(sync.onDiff(diff(13, 13, 12, [], [["105.00", "3"]]))).toBe("buffered");
    // snapshot at 11: the diff ending at 10 is older, the one (10, 12] straddles it
    expect(sync.onSnapshot(snap(11, [["100.00", "1"], ["99.00", "5"]], []))).toBe("synced");
    const book = sync.getBook();
    expect(book?.lastUpdateId).toBe(13);
    expect(book?.bids.get("101")).toBe("2");
    expect(book?.asks.get("105")).toBe("3");
    expect(sync.onDiff(diff(14, 15, 13, [["99.00", "0.000"]]))).toBe("applied");
    expect(sync.getBook()?.bids.has("99")).toBe(false);
  });

  it("ignores a diff it already has and detects a lost one", () => {
    const sync = new DepthSync();
    sync.onSnapshot(snap(20, [["1.0", "1"]], []));
    expect(sync.onDiff(diff(19, 20, 18))).toBe("stale");
    expect(sync.onDiff(diff(21, 22, 20, [["2.0", "1"]]))).toBe("applied");
    expect(sync.onDiff(diff(25, 26, 24))).toBe("gap"); // (22, 24] never came
    expect(sync.getState()).toBe("awaitingSnapshot");
    expect(sync.gaps).toBe(1);
    // the stale book stays on screen while a new snapshot is asked for
    expect(sync.getBook()?.bids.get("2")).toBe("1");
    expect(sync.onDiff(diff(27, 28, 26, [["3.0", "1"]]))).toBe("buffered");
    expect(sync.onSnapshot(snap(26, [["1.0", "1"], ["2.0", "1"], ["2.5", "4"]], []))).toBe("synced");
    expect(sync.getBook()?.lastUpdateId).toBe(28);
    expect(sync.getBook()?.bids.get("3")).toBe("1");
  });

  it("refuses a snapshot that the buffered diffs do not continue", () => {
    const sync = new DepthSync();
    sync.onDiff(diff(31, 32, 30));
    sync.onDiff(diff(33, 34, 32));
    // snapshot at 20: (20, 30] is missing
    expect(sync.onSnapshot(snap(20, [], []))).toBe("gap");
    expect(sync.getState()).toBe("awaitingSnapshot");
    // a later snapshot at 32 fits the kept diffs
    expect(sync.onSnapshot(snap(32, [], []))).toBe("synced");
    expect(sync.getBook()?.lastUpdateId).toBe(34);
  });

  it("after a reset (disconnect) needs a snapshot again", () => {
    const sync = new DepthSync();
    sync.onSnapshot(snap(5, [], []));
    sync.reset();
    expect(sync.onDiff(diff(6, 6, 5))).toBe("buffered");
    expect(sync.onSnapshot(snap(5, [], [["9", "1"]]))).toBe("synced");
  });

  it("rebuilds the true book from random diffs, snapshots taken at random points", () => {
    // a seeded random market: the true book after every seq; a client joins late, loses
    // messages now and then, and must always end up equal to the truth
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 20; run += 1) {
      const truth = bookFromSnapshot(snap(0, [], []));
      const history: { seq: number; bids: Level[]; asks: Level[] }[] = [];
      const messages: DepthDiff[] = [];
      let seq = 0;
      let lastU = 0;
      for (let m = 0; m < 60; m += 1) {
        const first = seq + 1;
        const b: Level[] = [];
        const a: Level[] = [];
        for (let k = 0; k < 1 + rnd(3); k += 1) {
          seq += 1;
          const bid = rnd(2) === 0;
          const price = bid ? `${90 + rnd(10)}.00` : `${101 + rnd(10)}.00`;
          const qty = rnd(3) === 0 ? "0.000" : `${1 + rnd(5)}.${rnd(1000).toString().padStart(3, "0")}`;
          (bid ? b : a).push([price, qty]);
          applyDiff(truth, diff(seq, seq, seq - 1, bid ? [[price, qty]] : [], bid ? [] : [[price, qty]]));
          history.push({ seq, bids: [...truth.bids.entries()], asks: [...truth.asks.entries()] });
        }
        messages.push(diff(first, seq, lastU, b, a));
        lastU = seq;
      }
      const client = new DepthSync();
      const joinAt = rnd(40);
      let requested = true;
      for (let i = joinAt; i < messages.length; i += 1) {
        const message = messages[i];
        if (!message) continue;
        if (requested && rnd(3) === 0) {
          // the snapshot arrives: the book as of some seq already published
          const at = history[Math.max(0, message.pu - 1)] ?? { seq: 0, bids: [], asks: [] };
          const result = client.onSnapshot(snap(message.pu === 0 ? 0 : at.seq, at.bids, at.asks));
          requested = result === "gap";
        }
        if (rnd(15) === 0) continue; // lost on the way
        if (client.onDiff(message) === "gap") requested = true;
      }
      const end = history[history.length - 1];
      const final = snap(end?.seq ?? 0, end?.bids ?? [], end?.asks ?? []);
      if (client.getState() !== "synced") client.onSnapshot(final);
      expect(client.getState()).toBe("synced");
      // a lost last message shows only when the next one comes: compare with the truth
      // as of the seq the client's book claims
      const book = client.getBook();
      const at = history[(book?.lastUpdateId ?? 0) - 1];
      expect(book && [...book.bids.entries()].sort()).toEqual([...(at?.bids ?? [])].sort());
      expect(book && [...book.asks.entries()].sort()).toEqual([...(at?.asks ?? [])].sort());
      if (book?.lastUpdateId === end?.seq) {
        expect([...(book?.bids.entries() ?? [])].sort()).toEqual([...truth.bids.entries()].sort());
      }
    }
  });
});

describe("aggregate", () => {
  const book = bookFromSnapshot(
    snap(
      1,
      [["100.07", "0.1"], ["100.03", "0.2"], ["99.99", "1.5"], ["100.10", "0.3"]],
      [["100.21", "0.1"], ["100.29", "0.2"], ["100.30", "0.4"], ["101.00", "1"]],
    ),
  );

  it("sorts best first with cumulative quantity and depth", () => {
    const bids = aggregate(book.bids, "bids", 10);
    expect(bids.map((r) => r.price)).toEqual(["100.1", "100.07", "100.03", "99.99"]);
    expect(bids.map((r) => r.cumulative)).toEqual(["0.3", "0.4", "0.6", "2.1"]);
    expect(bids[bids.length - 1]?.depth).toBe(1);
    expect(bids[0]?.depth).toBeCloseTo(0.1428, 4);
  });

  it("groups bids down and asks up to the step", () => {
    const bids = aggregate(book.bids, "bids", 10, "0.1");
    expect(bids.map((r) => [r.price, r.qty])).toEqual([["100.1", "0.3"], ["100.0", "0.3"], ["99.9", "1.5"]]);
    const asks = aggregate(book.asks, "asks", 10, "0.1");
    expect(asks.map((r) => [r.price, r.qty])).toEqual([["100.3", "0.7"], ["101.0", "1"]]);
    const whole = aggregate(book.asks, "asks", 10, "1");
    expect(whole.map((r) => [r.price, r.qty])).toEqual([["101", "1.7"]]);
  });

  it("keeps only `limit` groups", () => {
    expect(aggregate(book.bids, "bids", 2).map((r) => r.price)).toEqual(["100.1", "100.07"]);
  });

  it("offers steps from the tick", () => {
    expect(groupingSteps("0.01")).toEqual(["0.01", "0.1", "1", "10"]);
    expect(groupingSteps("0.0001", 2)).toEqual(["0.0001", "0.001"]);
  });

  it("finds the best prices", () => {
    expect(bestPrices(book)).toEqual({ bid: "100.1", ask: "100.21" });
  });
});
