"""Mass announcements: create (idempotent by client id), read progress, list.

An announcement is persisted with its segment and channels and fanned out later by
the :class:`~burency_notifications.service.fanout.FanoutWorker` from that persisted
state (see there, and docs/notifications.md, for the at-most-one-batch window). It is
created either by an operator (``POST /v1/admin/announcements``) or by a
``SEND_NOTIFICATION`` command with a ``segment`` (then its id is the notification id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.errors import EventSchemaError, IdempotencyConflict, NotFound, ValidationFailed
from burency_common.events.notification_types import (
    NOTIFICATION_TYPES,
    UnknownNotification,
    check_notification,
)
from burency_common.ids import new_id
from burency_common.logging import get_logger
from burency_notifications.adapters.orm import announcement_targets, announcements
from burency_notifications.domain import EVENT_TYPES
from burency_notifications.rendering import TemplateDataError, render
from burency_notifications.service.context import NotificationsContext
from burency_notifications.service.segments import InvalidSegment, parse_segment

__all__ = [
    "BROADCAST_CHANNELS",
    "Announcement",
    "AnnouncementNotFound",
    "ChannelProgress",
    "create_announcement",
    "create_from_command",
    "get_announcement",
    "list_announcements",
]

BROADCAST_CHANNELS: tuple[str, ...] = ("push", "email", "in_app")
ANNOUNCEMENT_EVENT = "marketing.announcement"
_log = get_logger("burency.notifications.broadcast")


class AnnouncementNotFound(NotFound):
    default_code = "ANNOUNCEMENT_NOT_FOUND"
    title = "Announcement not found"


class InvalidAnnouncement(ValidationFailed):
    default_code = "INVALID_ANNOUNCEMENT"
    title = "Invalid announcement"


@dataclass(frozen=True)
class ChannelProgress:
    channel: str
    targets: int = 0
    queued: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass(frozen=True)
class Announcement:
    id: str
    client_id: str | None
    event: str
    data: dict[str, Any]
    segment: str
    channels: list[str]
    status: str
    created_by: str | None
    created_at: datetime
    finished_at: datetime | None
    progress: list[ChannelProgress] = field(default_factory=list)


def check_content(event: str, data: dict[str, Any], channels: Sequence[str], segment: str) -> str:
    """Validate what a broadcast would send; returns the normalised segment text."""
    if event not in EVENT_TYPES:
        raise InvalidAnnouncement(f"unknown event {event!r}")
    try:
        check_notification(event, data)
    except UnknownNotification as exc:
        raise InvalidAnnouncement(str(exc)) from None
    unsupported = sorted(set(channels) - set(BROADCAST_CHANNELS))
    if unsupported or not channels:
        raise InvalidAnnouncement(
            f"broadcast channels are {list(BROADCAST_CHANNELS)}, got {list(channels)}"
        )
    if NOTIFICATION_TYPES[event].secrets:  # a secret belongs to one user, never a segment
        raise InvalidAnnouncement(f"{event} carries a secret and cannot be broadcast")
    try:
        for channel in channels:
            render(event, "en", data, channel)
    except TemplateDataError as exc:
        raise InvalidAnnouncement(f"the data does not fit the {event} template: {exc}") from None
    return parse_segment(segment).text


def _row(
    *,
    announcement_id: str,
    client_id: str | None,
    created_by: str | None,
    event: str,
    data: dict[str, Any],
    segment: str,
    channels: Sequence[str],
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": announcement_id,
        "client_id": client_id,
        "created_by": created_by,
        "event": event,
        "title": str(data.get("title", ""))[:255] or None,
        "body": str(data.get("body", ""))[:2000] or None,
        "data": data,
        "segment": segment,
        "channels": list(dict.fromkeys(channels)),
        "status": "materialising",
        "cursor": None,
        "lease_owner": None,
        "lease_until": None,
        "created_at": now,
        "updated_at": now,
        "finished_at": None,
    }


async def create_announcement(
    ctx: NotificationsContext,
    *,
    client_id: str,
    created_by: str,
    event: str,
    data: dict[str, Any],
    segment: str,
    channels: Sequence[str],
) -> tuple[Announcement, bool]:
    """Persist an announcement; returns it and whether it is new.

    The same ``client_id`` with the same content returns the first one; with other
    content it is ``IDEMPOTENCY_KEY_REUSED`` (409)."""
    segment = check_content(event, data, channels, segment)
    row = _row(
        announcement_id=new_id(),
        client_id=client_id,
        created_by=created_by,
        event=event,
        data=data,
        segment=segment,
        channels=channels,
        now=ctx.clock.now(),
    )
    try:
        async with ctx.transaction() as db:
            await db.execute(announcements.insert().values(**row))
    except IntegrityError:
        async with ctx.transaction() as db:
            existing = (
                await db.execute(
                    select(announcements).where(announcements.c.client_id == client_id)
                )
            ).one()
        same = (existing.event, existing.data, existing.segment, list(existing.channels)) == (
            event,
            data,
            segment,
            row["channels"],
        )
        if not same:
            raise IdempotencyConflict("this clientId was used for another announcement") from None
        return await get_announcement(ctx, announcement_id=existing.id), False
    _log.info("announcement.created", announcement_id=row["id"], segment=segment)
    return await get_announcement(ctx, announcement_id=row["id"]), True


async def create_from_command(
    db: AsyncSession,
    ctx: NotificationsContext,
    *,
    notification_id: str,
    event: str,
    data: dict[str, Any],
    segment: str,
    channels: Sequence[str] | None,
) -> None:
    """Persist the announcement of a ``SEND_NOTIFICATION`` with a segment (in the
    intake's transaction; the caller made ``notification_id`` unique)."""
    try:
        segment = check_content(event, data, channels or BROADCAST_CHANNELS, segment)
    except (InvalidSegment, InvalidAnnouncement) as exc:
        raise EventSchemaError(exc.detail or str(exc)) from None
    await db.execute(
        announcements.insert().values(
            **_row(
                announcement_id=notification_id,
                client_id=None,
                created_by=None,
                event=event,
                data=data,
                segment=segment,
                channels=channels or BROADCAST_CHANNELS,
                now=ctx.clock.now(),
            )
        )
    )


def _announcement(row: Any, progress: list[ChannelProgress]) -> Announcement:
    return Announcement(
        id=row.id,
        client_id=row.client_id,
        event=row.event,
        data=dict(row.data),
        segment=row.segment,
        channels=list(row.channels),
        status=row.status,
        created_by=row.created_by,
        created_at=row.created_at,
        finished_at=row.finished_at,
        progress=progress,
    )


async def _progress_of(db: AsyncSession, rows: Sequence[Any]) -> dict[str, list[ChannelProgress]]:
    """Announcement id -> its progress per channel (one grouped query for them all)."""
    if not rows:
        return {}
    t = announcement_targets
    counted = await db.execute(
        select(t.c.announcement_id, t.c.channel, t.c.status, func.count())
        .where(t.c.announcement_id.in_([row.id for row in rows]))
        .group_by(t.c.announcement_id, t.c.channel, t.c.status)
    )
    counts: dict[str, dict[str, dict[str, int]]] = {
        row.id: {c: {} for c in row.channels} for row in rows
    }
    for announcement_id, channel, status, n in counted:
        bucket = counts[announcement_id].setdefault(channel, {})
        key = "queued" if status == "sending" else status
        bucket[key] = bucket.get(key, 0) + int(n)
    return {
        announcement_id: [
            ChannelProgress(
                channel=c,
                targets=sum(v.values()),
                queued=v.get("queued", 0),
                sent=v.get("sent", 0),
                failed=v.get("failed", 0),
                skipped=v.get("skipped", 0),
            )
            for c, v in per_channel.items()
        ]
        for announcement_id, per_channel in counts.items()
    }


async def get_announcement(ctx: NotificationsContext, *, announcement_id: str) -> Announcement:
    async with ctx.transaction() as db:
        row = (
            await db.execute(select(announcements).where(announcements.c.id == announcement_id))
        ).one_or_none()
        if row is None:
            raise AnnouncementNotFound("no such announcement")
        return _announcement(row, (await _progress_of(db, [row]))[row.id])


async def list_announcements(
    ctx: NotificationsContext, *, cursor: str | None, limit: int
) -> tuple[list[Announcement], str | None]:
    """Newest first, by id (uuid7 ids sort by creation time)."""
    query = select(announcements).order_by(announcements.c.id.desc()).limit(limit + 1)
    if cursor:
        query = query.where(announcements.c.id < cursor)
    async with ctx.transaction() as db:
        rows = list(await db.execute(query))
        more = len(rows) > limit
        rows = rows[:limit]
        progress = await _progress_of(db, rows)
    items = [_announcement(r, progress[r.id]) for r in rows]
    return items, (rows[-1].id if more and rows else None)
