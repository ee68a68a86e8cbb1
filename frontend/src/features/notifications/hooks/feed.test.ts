import { describe, expect, it } from "vitest";
import { addPushed, markAllRead, markRead, parsePushed, type Feed } from "./feed";

const item = (id: string, readAt: string | null = null) => ({
  id,
  event: "deposit.credited",
  title: `t${id}`,
  body: "",
  createdAt: "2026-01-01T00:00:00Z",
  readAt,
});

describe("the live feed", () => {
  it("puts a pushed item on top and counts it unread, once per id", () => {
    const feed: Feed = { items: [item("1")], unreadCount: 1 };
    const once = addPushed(feed, item("2"));
    expect(once.items.map((i) => i.id)).toEqual(["2", "1"]);
    expect(once.unreadCount).toBe(2);
    expect(addPushed(once, item("2"))).toBe(once);
  });

  it("marks one or all read without going below zero", () => {
    const feed: Feed = { items: [item("1"), item("2", "x")], unreadCount: 1 };
    const one = markRead(feed, "1", "now");
    expect(one.unreadCount).toBe(0);
    expect(markRead(one, "1", "later")).toBe(one);
    expect(markAllRead({ items: [item("3")], unreadCount: 1 }, "now").items[0]?.readAt).toBe("now");
  });

  it("accepts the socket payload and refuses anything else", () => {
    expect(parsePushed({ ...item("9"), notificationId: "n" })?.id).toBe("9");
    expect(parsePushed({ id: 1 })).toBeNull();
    expect(parsePushed("x")).toBeNull();
  });
});
