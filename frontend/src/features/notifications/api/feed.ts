import { unwrap, type Api } from "../../../lib/api/client";
import type { components } from "../../../lib/api/schema";

export type FeedItem = components["schemas"]["notifications_FeedItemOut"];
export type Preference = components["schemas"]["notifications_PreferenceOut"];
export type PreferenceIn = components["schemas"]["notifications_PreferenceIn"];

export const feedApi = {
  list: (api: Api, limit = 20) => unwrap(api.GET("/api/notifications/v1/notifications", { params: { query: { limit } } })),
  markRead: (api: Api, id: string) =>
    unwrap(api.POST("/api/notifications/v1/notifications/{item_id}/read", { params: { path: { item_id: id } } })),
  markAllRead: (api: Api) => unwrap(api.POST("/api/notifications/v1/notifications/read-all")),
  preferences: (api: Api) => unwrap(api.GET("/api/notifications/v1/preferences")),
  savePreferences: (api: Api, items: PreferenceIn[]) =>
    unwrap(api.PUT("/api/notifications/v1/preferences", { body: { items } })),
};
