import { describe, expect, it } from "vitest";
import { mergePages, nextCursorOf } from "./paging";

interface Row {
  id: number;
  v: string;
}

const page = (ids: number[], nextCursor: string | null, v = "a") => ({ items: ids.map((id) => ({ id, v })), nextCursor });

describe("mergePages joins cursor pages into one list", () => {
  it("keeps every row once, in page order, across the boundary", () => {
    const rows = mergePages([page([9, 8, 7], "c7"), page([6, 5, 4], "c4"), page([3], null)], (r: Row) => r.id);
    expect(rows.map((r) => r.id)).toEqual([9, 8, 7, 6, 5, 4, 3]);
  });

  it("drops a row a later page repeats (rows moved down after a refresh): the first page's copy wins", () => {
    const first = page([12, 11, 10, 9], "c9", "fresh");
    const second = { items: [{ id: 9, v: "old" }, { id: 8, v: "old" }], nextCursor: null };
    const rows = mergePages([first, second], (r: Row) => r.id);
    expect(rows.map((r) => r.id)).toEqual([12, 11, 10, 9, 8]);
    expect(rows.find((r) => r.id === 9)?.v).toBe("fresh");
  });

  it("keys by what identifies a row (a self-trade's two fills share a trade id)", () => {
    const fills = [
      { id: 5, orderId: 2 },
      { id: 5, orderId: 1 },
      { id: 4, orderId: 1 },
    ];
    const rows = mergePages([{ items: fills.slice(0, 2), nextCursor: "x" }, { items: fills.slice(1) }], (t) => `${t.id}-${t.orderId}`);
    expect(rows).toEqual(fills);
  });

  it("a property: any split of a newest-first list into pages merges back to the list", () => {
    for (let n = 0; n < 40; n++) {
      const ids = Array.from({ length: n }, (_, i) => n - i);
      for (let size = 1; size <= 7; size++) {
        const pages = [];
        for (let at = 0; at < ids.length; at += size) pages.push(page(ids.slice(at, at + size), at + size < ids.length ? `c${at}` : null));
        expect(mergePages(pages, (r: Row) => r.id).map((r) => r.id)).toEqual(ids);
      }
    }
  });

  it("says when there is no next page", () => {
    expect(nextCursorOf(page([1], "abc"))).toBe("abc");
    expect(nextCursorOf(page([1], null))).toBeUndefined();
    expect(nextCursorOf({ items: [] })).toBeUndefined();
    expect(nextCursorOf(undefined)).toBeUndefined();
  });
});
