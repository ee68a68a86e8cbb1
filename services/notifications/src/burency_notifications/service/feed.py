"""The in-app feed: newest first, cursor pages (the cursor is the last item's id,
UUIDv7 so ids sort by time), unread count, marking read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from burency_common.errors import NotFound
from burency_notifications.adapters.orm import in_app
from burency_notifications.service.context import NotificationsContext

__all__ = ["FeedItem", "FeedPage", "list_feed", "mark_all_read", "mark_read"]


@dataclass(frozen=True)
class FeedItem:
    id: str
    event: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True)
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None
    unread_count: int


def _item(row: object) -> FeedItem:
    return FeedItem(
        id=row.id,  # type: ignore[attr-defined]
        event=row.event,  # type: ignore[attr-defined]
        title=row.title,  # type: ignore[attr-defined]
        body=row.body,  # type: ignore[attr-defined]
        created_at=row.created_at,  # type: ignore[attr-defined]
        read_at=row.read_at,  # type: ignore[attr-defined]
    )


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
    items = [_item(r) for r in rows[:limit]]
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
