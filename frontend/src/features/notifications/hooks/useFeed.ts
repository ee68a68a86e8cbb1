/**
 * The signed-in user's in-app feed: the REST page (newest 20 with the unread count),
 * then every Socket.IO `notification` event on the app's one connection added on top
 * (deduplicated by id) and the page read again for the item's link; read again after a
 * reconnect, since pushes sent meanwhile are lost (the i18n provider reads it again after
 * a language switch: the service words items in the profile's language).
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
        if (!item) return;
        queryClient.setQueryData<Feed>(FEED_KEY, (f) => addPushed(f ?? { items: [], unreadCount: 0 }, item));
        // the push carries the text as delivered; the feed gives its link and the reader's language
        void queryClient.invalidateQueries({ queryKey: FEED_KEY });
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
