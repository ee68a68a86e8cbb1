/** Pure helpers of the in-app feed: live items merged into the REST page. */
import type { FeedItem } from "../api/feed";

export interface Feed {
  items: FeedItem[];
  unreadCount: number;
}

/** The Socket.IO `notification` event's payload (docs/notifications.md), or null. */
export function parsePushed(data: unknown): FeedItem | null {
  if (typeof data !== "object" || data === null) return null;
  const d = data as Record<string, unknown>;
  if (typeof d.id !== "string" || typeof d.title !== "string" || typeof d.createdAt !== "string") return null;
  return {
    id: d.id,
    event: typeof d.event === "string" ? d.event : "",
    title: d.title,
    body: typeof d.body === "string" ? d.body : "",
    createdAt: d.createdAt,
    readAt: typeof d.readAt === "string" ? d.readAt : null,
  };
}

/** Adds a pushed item on top; a redelivered push (same id) changes nothing. */
export function addPushed(feed: Feed, item: FeedItem): Feed {
  if (feed.items.some((i) => i.id === item.id)) return feed;
  return { items: [item, ...feed.items], unreadCount: feed.unreadCount + (item.readAt ? 0 : 1) };
}

export function markRead(feed: Feed, id: string, at: string): Feed {
  const item = feed.items.find((i) => i.id === id);
  if (!item || item.readAt) return feed;
  return {
    items: feed.items.map((i) => (i.id === id ? { ...i, readAt: at } : i)),
    unreadCount: Math.max(0, feed.unreadCount - 1),
  };
}

export function markAllRead(feed: Feed, at: string): Feed {
  return { items: feed.items.map((i) => (i.readAt ? i : { ...i, readAt: at })), unreadCount: 0 };
}
