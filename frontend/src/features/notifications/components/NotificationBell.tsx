import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { formatTime } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import type { FeedItem } from "../api/feed";
import { useFeed } from "../hooks/useFeed";
import "./notifications.css";

/** The top bar's bell: unread count, the newest items (live), mark read. */
export function NotificationBell() {
  const { t } = useI18n();
  const { feed, readOne, readAll } = useFeed();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const unread = feed.data?.unreadCount ?? 0;

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !box.current?.contains(event.target as Node)) {
        setOpen(false);
      }
    };
    document.addEventListener("mousedown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("mousedown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  const label = unread ? `${t("bell.label")}, ${t("bell.unread", { count: unread })}` : t("bell.label");
  return (
    <div className="menu bell" ref={box}>
      <button
        type="button"
        className="bell__button"
        aria-label={label}
        aria-haspopup="true"
        aria-expanded={open}
        onClick={() => setOpen((v) => !v)}
      >
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"
          />
        </svg>
        {unread ? (
          <span className="bell__count" data-testid="bell-count">
            {unread > 99 ? "99+" : unread}
          </span>
        ) : null}
      </button>
      {open ? (
        <div className="menu__list bell__panel" role="region" aria-label={t("bell.label")}>
          <div className="bell__head">
            <strong>{t("bell.label")}</strong>
            <span className="actions">
              {unread ? (
                <button type="button" className="button--link" onClick={() => readAll.mutate()}>
                  {t("bell.markAll")}
                </button>
              ) : null}
              <Link to="/settings/notifications" onClick={() => setOpen(false)}>
                {t("bell.preferences")}
              </Link>
            </span>
          </div>
          {feed.isPending ? <p className="muted">{t("common.loading")}</p> : null}
          {feed.data && feed.data.items.length === 0 ? <p className="muted">{t("bell.empty")}</p> : null}
          <ul className="bell__items" aria-label={t("bell.label")}>
            {feed.data?.items.map((item) => (
              <li key={item.id} className={item.readAt ? "bell__item" : "bell__item bell__item--unread"}>
                <div>
                  <ItemTitle item={item} onOpen={() => setOpen(false)} read={() => readOne.mutate(item.id)} />
                  <p>{item.body}</p>
                  <span className="muted">{formatTime(item.createdAt)}</span>
                </div>
                {item.readAt ? null : (
                  <button
                    type="button"
                    className="button--link"
                    aria-label={`${t("bell.markRead")}: ${item.title}`}
                    onClick={() => readOne.mutate(item.id)}
                  >
                    {t("bell.markRead")}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

/** A path inside this app (`/wallet`, `/trade/BTC-AED`), never another site. */
function appPath(link: unknown): string | null {
  return typeof link === "string" && link.startsWith("/") && !link.startsWith("//") ? link : null;
}

/**
 * The item's title; a link to what it is about when the server names a target (`link`):
 * following it marks the item read and closes the panel.
 */
function ItemTitle({ item, onOpen, read }: { item: FeedItem; onOpen: () => void; read: () => void }) {
  // a pushed item has no link until the feed is read again (useFeed refetches on a push)
  const to = appPath((item as Partial<FeedItem>).link);
  if (!to) return <strong>{item.title}</strong>;
  return (
    <Link
      to={to}
      className="bell__link"
      onClick={() => {
        if (!item.readAt) read();
        onOpen();
      }}
    >
      <strong>{item.title}</strong>
    </Link>
  );
}
