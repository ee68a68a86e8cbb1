"""``/v1/admin/announcements``: mass notifications to a segment (``notifications.broadcast``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import Field, model_validator

from burency_common.api import ApiModel
from burency_common.identity import Identity
from burency_common.permissions import require_permission
from burency_common.web.openapi import problem_responses
from burency_notifications.entrypoints.http.deps import Ctx
from burency_notifications.service import broadcast
from burency_notifications.service.broadcast import ANNOUNCEMENT_EVENT, Announcement

__all__ = ["AnnouncementIn", "AnnouncementOut", "announcements_router"]

Broadcaster = Annotated[Identity, Depends(require_permission("notifications.broadcast"))]
BroadcastChannel = Literal["push", "email", "in_app"]
_ALL_CHANNELS: tuple[BroadcastChannel, ...] = ("push", "email", "in_app")


class AnnouncementIn(ApiModel):
    """Either ``title`` and ``body`` (the ``marketing.announcement`` template) or an
    ``event`` with its template ``data``."""

    client_id: str = Field(
        min_length=1,
        max_length=128,
        description="idempotency: the same id creates one announcement",
    )
    segment: str = Field(min_length=1, max_length=64, description="'all' or 'kyc_level>=2' etc.")
    channels: list[BroadcastChannel] = Field(
        default_factory=lambda: list(_ALL_CHANNELS), min_length=1, max_length=3
    )
    title: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=1000)
    event: str | None = Field(default=None, max_length=64)
    data: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _content(self) -> AnnouncementIn:
        if (self.title is None) != (self.body is None):
            raise ValueError("give both title and body")
        if (self.title is None) == (self.event is None):
            raise ValueError("give either title and body, or event (with data)")
        return self


class ChannelProgressOut(ApiModel):
    channel: str
    targets: int
    queued: int
    sent: int
    failed: int
    skipped: int


class AnnouncementOut(ApiModel):
    id: str
    client_id: str | None
    event: str
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="the template data (`title` and `body` for marketing.announcement); "
        "never a secret: a type that carries one cannot be broadcast",
    )
    segment: str
    channels: list[str]
    status: str = Field(description="materialising | sending | done")
    created_by: str | None
    created_at: datetime
    finished_at: datetime | None
    progress: list[ChannelProgressOut] = Field(
        default_factory=list,
        description="per channel: targets and how many are queued, sent, failed, skipped "
        "(in the list too)",
    )


class AnnouncementsOut(ApiModel):
    items: list[AnnouncementOut]
    next_cursor: str | None = None


def _out(a: Announcement) -> AnnouncementOut:
    return AnnouncementOut(
        id=a.id,
        client_id=a.client_id,
        event=a.event,
        data=dict(a.data),
        segment=a.segment,
        channels=a.channels,
        status=a.status,
        created_by=a.created_by,
        created_at=a.created_at,
        finished_at=a.finished_at,
        progress=[ChannelProgressOut(**vars(p)) for p in a.progress],
    )


def announcements_router() -> APIRouter:
    router = APIRouter(
        prefix="/v1/admin/announcements",
        tags=["announcements"],
        responses=problem_responses(401, 403),
    )

    @router.post(
        "",
        response_model=AnnouncementOut,
        status_code=202,
        responses=problem_responses(409, 422),
        summary="Queue an announcement to a segment of users (fan-out in the background)",
    )
    async def create(
        body: AnnouncementIn, ctx: Ctx, who: Broadcaster, response: Response
    ) -> AnnouncementOut:
        """Queue an announcement; fan-out runs in the background (poll its progress)."""
        if body.title is not None:
            event, data = ANNOUNCEMENT_EVENT, {"title": body.title, "body": body.body}
        else:
            event, data = str(body.event), dict(body.data or {})
        announcement, _ = await broadcast.create_announcement(
            ctx,
            client_id=body.client_id,
            created_by=who.user_id,
            event=event,
            data=data,
            segment=body.segment,
            channels=body.channels,
        )
        response.headers["Location"] = f"/v1/admin/announcements/{announcement.id}"
        return _out(announcement)

    @router.get(
        "",
        response_model=AnnouncementsOut,
        responses=problem_responses(422),
        summary="Announcements, newest first (cursor-paged), each with its progress",
    )
    async def list_all(
        ctx: Ctx,
        _: Broadcaster,
        cursor: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> AnnouncementsOut:
        items, next_cursor = await broadcast.list_announcements(ctx, cursor=cursor, limit=limit)
        return AnnouncementsOut(items=[_out(a) for a in items], next_cursor=next_cursor)

    @router.get(
        "/{announcement_id}",
        response_model=AnnouncementOut,
        responses=problem_responses(404, 422),
        summary="One announcement with its progress per channel",
    )
    async def get_one(
        ctx: Ctx, _: Broadcaster, announcement_id: Annotated[str, Path(max_length=64)]
    ) -> AnnouncementOut:
        """The announcement with its progress per channel."""
        return _out(await broadcast.get_announcement(ctx, announcement_id=announcement_id))

    return router
