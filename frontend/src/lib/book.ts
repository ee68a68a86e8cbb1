/**
 * The live order book: a depth snapshot plus the `depthUpdate` diffs of a Socket.IO depth
 * stream, with the trading service's gap rules (docs/trading/marketdata.md):
 *
 * 1. diffs are buffered until a snapshot (lastUpdateId `L`) arrives;
 * 2. buffered diffs with `u <= L` are dropped;
 * 3. the first diff applied must have `pu <= L < u`;
 * 4. every next one must have `pu ===` the previous diff's `u`;
 * 5. anything else is a gap: the book is stale, ask for a fresh snapshot and go to 1.
 *
 * `DepthSync` is pure (no socket, no timer): the caller feeds it messages and acts on
 * what it answers ("gap" → request a snapshot). Prices and quantities stay decimal
 * strings; grouping and cumulative totals use the exact decimal helper.
 */
import * as D from "./decimal";

export type Level = readonly [price: string, qty: string];

export interface DepthSnapshot {
  lastUpdateId: number;
  bids: Level[];
  asks: Level[];
}

export interface DepthDiff {
  U: number;
  u: number;
  pu: number;
  b: Level[];
  a: Level[];
}

/** One side: canonical price string → quantity string. */
export type Side = Map<string, string>;

export interface Book {
  lastUpdateId: number;
  bids: Side;
  asks: Side;
}

function canonical(price: string): string {
  return D.toString(D.normalize(price));
}

function sideFrom(levels: readonly Level[]): Side {
  const side: Side = new Map();
  for (const [price, qty] of levels) if (!D.isZero(qty)) side.set(canonical(price), qty);
  return side;
}

export function bookFromSnapshot(snapshot: DepthSnapshot): Book {
  return { lastUpdateId: snapshot.lastUpdateId, bids: sideFrom(snapshot.bids), asks: sideFrom(snapshot.asks) };
}

/** Absolute quantities: a zero quantity removes the level. Mutates `book`. */
export function applyDiff(book: Book, diff: DepthDiff): void {
  for (const [levels, side] of [[diff.b, book.bids], [diff.a, book.asks]] as const) {
    for (const [price, qty] of levels) {
      const key = canonical(price);
      if (D.isZero(qty)) side.delete(key);
      else side.set(key, qty);
    }
  }
  book.lastUpdateId = diff.u;
}

export type SyncState = "awaitingSnapshot" | "synced";

/** What feeding a message did; "gap" means: request a fresh snapshot now. */
export type SyncResult = "buffered" | "applied" | "stale" | "gap" | "synced";

export class DepthSync {
  private book: Book | null = null;
  private buffer: DepthDiff[] = [];
  private state: SyncState = "awaitingSnapshot";
  /** Bumped on every change of the book (for React to notice). */
  version = 0;
  /** How many gaps were detected since this sync was made. */
  gaps = 0;

  getState(): SyncState {
    return this.state;
  }

  /** The last synced book (kept while resyncing, so the screen does not go blank). */
  getBook(): Book | null {
    return this.book;
  }

  /** A diff from the stream. */
  onDiff(diff: DepthDiff): SyncResult {
    if (this.state === "awaitingSnapshot") {
      this.buffer.push(diff);
      if (this.buffer.length > 2000) this.buffer.shift();
      return "buffered";
    }
    const book = this.book;
    if (!book) return this.gap();
    if (diff.u <= book.lastUpdateId) return "stale";
    if (diff.pu !== book.lastUpdateId) return this.gap();
    applyDiff(book, diff);
    this.version += 1;
    return "applied";
  }

  /** A snapshot (on subscribe, or asked for after a gap); buffered diffs are replayed. */
  onSnapshot(snapshot: DepthSnapshot): SyncResult {
    if (this.state === "synced" && this.book && snapshot.lastUpdateId <= this.book.lastUpdateId) return "stale";
    const book = bookFromSnapshot(snapshot);
    const pending = this.buffer.filter((d) => d.u > snapshot.lastUpdateId);
    this.buffer = [];
    let first = true;
    for (const diff of pending) {
      const fits = first
        ? diff.pu <= book.lastUpdateId && book.lastUpdateId < diff.u
        : diff.pu === book.lastUpdateId;
      if (!fits) {
        // a diff is missing between the snapshot and what we buffered: keep the newer
        // diffs, a later snapshot may sit right before them
        this.buffer = pending.slice(pending.indexOf(diff));
        this.gaps += 1;
        return "gap";
      }
      applyDiff(book, diff);
      first = false;
    }
    this.book = book;
    this.state = "synced";
    this.version += 1;
    return "synced";
  }

  /** The stream went away (disconnect): whatever comes next needs a snapshot first. */
  reset(): void {
    this.state = "awaitingSnapshot";
    this.buffer = [];
  }

  private gap(): SyncResult {
    this.state = "awaitingSnapshot";
    this.buffer = [];
    this.gaps += 1;
    return "gap";
  }
}

export interface Row {
  price: string;
  qty: string;
  /** the quantity of this row and every better one */
  cumulative: string;
  /** cumulative / the side's largest cumulative, 0..1 (display only: a bar's width) */
  depth: number;
}

/**
 * The best `limit` rows of one side, prices grouped by `step` (bids down, asks up to
 * the step, so a group never claims a better price than its orders), with cumulative
 * quantities for depth shading. `step` undefined: no grouping.
 */
export function aggregate(side: Side, kind: "bids" | "asks", limit: number, step?: string): Row[] {
  const sorted = [...side.entries()].sort(([a], [b]) =>
    kind === "bids" ? D.compare(b, a) : D.compare(a, b),
  );
  const groups: { price: D.Dec; qty: D.Dec }[] = [];
  for (const [price, qty] of sorted) {
    const key = step ? D.roundToStep(price, step, kind === "bids" ? "down" : "up") : D.parse(price);
    const last = groups[groups.length - 1];
    if (last && D.compare(last.price, key) === 0) last.qty = D.add(last.qty, qty);
    else {
      if (groups.length === limit) break;
      groups.push({ price: key, qty: D.parse(qty) });
    }
  }
  let cumulative: D.Dec = D.ZERO;
  const rows = groups.map((g) => {
    cumulative = D.add(cumulative, g.qty);
    return { price: D.toString(g.price), qty: D.toString(g.qty), cumulative: D.toString(cumulative), depth: 0 };
  });
  const total = rows[rows.length - 1]?.cumulative;
  if (total && D.isPositive(total)) {
    for (const row of rows) row.depth = D.toNumber(D.div(row.cumulative, total, 4));
  }
  return rows;
}

/** Price steps offered for grouping: the tick, then ×10 up to `levels` choices. */
export function groupingSteps(tickSize: string, levels = 4): string[] {
  const steps: string[] = [];
  let step = D.normalize(tickSize);
  for (let i = 0; i < levels; i += 1) {
    steps.push(D.toString(step));
    step = D.normalize(D.mul(step, "10"));
  }
  return steps;
}

/** Best bid and ask of a book, or null for an empty side. */
export function bestPrices(book: Book): { bid: string | null; ask: string | null } {
  let bid: string | null = null;
  let ask: string | null = null;
  for (const price of book.bids.keys()) if (bid === null || D.compare(price, bid) > 0) bid = price;
  for (const price of book.asks.keys()) if (ask === null || D.compare(price, ask) < 0) ask = price;
  return { bid, ask };
}
