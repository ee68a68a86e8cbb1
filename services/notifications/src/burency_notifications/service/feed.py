"""The in-app feed: newest first, cursor pages (the cursor is the last item's id,
UUIDv7 so ids sort by time), unread count, marking read.

Each item is shown in the reader's language *now* (``recipients.language``, from the
user's profile; English until it is known): a feed item stores the text rendered at
delivery, and an item delivered before the user chose Arabic would otherwise stay
English. The title and body are rendered again from the item's notification (or
announcement) data through the ``in_app`` view, which never holds a secret; when that
data is gone or no longer renders, the stored text is shown. Each item also names the
web app path it leads to (:func:`burency_notifications.domain.feed_link`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.errors import NotFound
from burency_common.events.notification_types import NOTIFICATION_TYPES
from burency_notifications.adapters.orm import announcements, in_app, notifications, recipients
from burency_notifications.domain import LANGUAGES, feed_link
from burency_notifications.rendering import TemplateDataError, render
from burency_notifications.service.context import NotificationsContext

__all__ = ["FeedItem", "FeedPage", "list_feed", "mark_all_read", "mark_read"]


@dataclass(frozen=True)
class FeedItem:
    id: str
    event: str
    title: str  # in the reader's language (see the module docstring)
    body: str
    created_at: datetime
    read_at: datetime | None
    link: str | None = None  # the web app path it leads to


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None
    unread_count: int


def _item(row: Any, language: str, data: Mapping[str, Any] | None) -> FeedItem:
    title, body = row.title, row.body
    if data is not None:
        try:
            text = render(row.event, language, data, "in_app")
            title, body = text.subject[:255], text.push[:2000]
        except TemplateDataError:  # data an older template took: keep the stored text
            data = None
    kind = NOTIFICATION_TYPES.get(row.event)
    public = kind.public(data) if kind is not None and data is not None else {}
    return FeedItem(
        id=row.id,
        event=row.event,
        title=title,
        body=body,
        created_at=row.created_at,
        read_at=row.read_at,
        link=feed_link(row.event, public),
    )


async def _sources(db: AsyncSession, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Notification (or announcement) id -> the data its items were rendered from."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    found = {
        row.id: dict(row.data)
        for row in await db.execute(
            select(notifications.c.id, notifications.c.data).where(notifications.c.id.in_(wanted))
        )
    }
    rest = [i for i in wanted if i not in found]
    if rest:
        query = select(announcements.c.id, announcements.c.data).where(announcements.c.id.in_(rest))
        found |= {row.id: dict(row.data) for row in await db.execute(query)}
    return found


async def list_feed(
    ctx: NotificationsContext, *, user_id: str, cursor: str | None, limit: int
) -> FeedPage:
    query = select(in_app).where(in_app.c.user_id == user_id)
    if cursor:
        query = query.where(in_app.c.id < cursor)
    query = query.order_by(in_app.c.id.desc()).limit(limit + 1)
    unread = (
        select(func.count())
        .select_from(in_app)
        .where(in_app.c.user_id == user_id, in_app.c.read_at.is_(None))
    )
    async with ctx.transaction() as db:
        rows = list((await db.execute(query)).all())
        count = int(await db.scalar(unread) or 0)
        chosen = await db.scalar(
            select(recipients.c.language).where(recipients.c.user_id == user_id)
        )
        data = await _sources(db, [r.notification_id for r in rows[:limit]])
    language = chosen if chosen in LANGUAGES else "en"
    items = [_item(r, language, data.get(r.notification_id)) for r in rows[:limit]]
    next_cursor = items[-1].id if len(rows) > limit and items else None
    return FeedPage(items=items, next_cursor=next_cursor, unread_count=count)


async def mark_read(ctx: NotificationsContext, *, user_id: str, item_id: str) -> None:
    """Idempotent; 404 for another user's (or an unknown) item."""
    async with ctx.transaction() as db:
        owned = await db.scalar(
            select(in_app.c.id).where(in_app.c.id == item_id, in_app.c.user_id == user_id)
        )
        if owned is None:
            raise NotFound("notification not found", code="NOTIFICATION_NOT_FOUND")
        await db.execute(
            update(in_app)
            .where(in_app.c.id == item_id, in_app.c.read_at.is_(None))
            .values(read_at=ctx.clock.now())
        )


async def mark_all_read(ctx: NotificationsContext, *, user_id: str) -> int:
    async with ctx.transaction() as db:
        result = await db.execute(
            update(in_app)
            .where(in_app.c.user_id == user_id, in_app.c.read_at.is_(None))
            .values(read_at=ctx.clock.now())
        )
    return int(getattr(result, "rowcount", 0))
