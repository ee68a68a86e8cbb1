/**
 * The signed-in user's in-app feed: the REST page (newest 20 with the unread count),
 * then every Socket.IO `notification` event on the app's one connection added on top
 * (deduplicated by id); read again after a reconnect, since pushes sent meanwhile are lost.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useApi } from "../../../lib/auth/context";
import { useOnReconnect, useStreamClient } from "../../../lib/useStreams";
import { feedApi } from "../api/feed";
import { addPushed, markAllRead, markRead, parsePushed, type Feed } from "./feed";

export const FEED_KEY = ["notifications", "feed"] as const;

export function useFeed() {
  const api = useApi();
  const client = useStreamClient();
  const queryClient = useQueryClient();
  const feed = useQuery({
    queryKey: FEED_KEY,
    queryFn: async (): Promise<Feed> => {
      const page = await feedApi.list(api);
      return { items: page.items, unreadCount: page.unreadCount };
    },
  });

  useEffect(
    () =>
      client.on("notification", (data) => {
        const item = parsePushed(data);
        if (item) queryClient.setQueryData<Feed>(FEED_KEY, (f) => addPushed(f ?? { items: [], unreadCount: 0 }, item));
      }),
    [client, queryClient],
  );
  useOnReconnect(() => void queryClient.invalidateQueries({ queryKey: FEED_KEY }));

  const update = (change: (f: Feed) => Feed) =>
    queryClient.setQueryData<Feed>(FEED_KEY, (f) => (f ? change(f) : f));
  const readOne = useMutation({
    mutationFn: (id: string) => feedApi.markRead(api, id),
    onSuccess: (_data, id) => update((f) => markRead(f, id, new Date().toISOString())),
  });
  const readAll = useMutation({
    mutationFn: () => feedApi.markAllRead(api),
    onSuccess: () => update((f) => markAllRead(f, new Date().toISOString())),
  });
  return { feed, readOne, readAll };
}
