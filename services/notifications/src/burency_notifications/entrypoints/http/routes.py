"""Own preferences, the in-app feed, and the embedded-only dev outbox."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from burency_common.errors import NotFound
from burency_common.identity import Identity
from burency_common.permissions import require_permission
from burency_notifications.entrypoints.http.deps import Ctx, CurrentIdentity
from burency_notifications.entrypoints.http.schemas import (
    FeedItemOut,
    FeedOut,
    OutboxItemOut,
    OutboxOut,
    PreferenceOut,
    PreferencesIn,
    PreferencesOut,
    ReadAllOut,
)
from burency_notifications.service import feed, preferences

__all__ = ["dev_router", "own_router"]

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "no or invalid identity"},
    404: {"description": "not found"},
    422: {"description": "invalid request"},
}


def own_router() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["notifications"], responses=_ERRORS)

    @router.get(
        "/preferences",
        response_model=PreferencesOut,
        summary="My notification preferences, per event and channel",
    )
    async def get_preferences(ctx: Ctx, who: CurrentIdentity) -> PreferencesOut:
        prefs = await preferences.get_preferences(ctx, user_id=who.user_id)
        return PreferencesOut(items=[PreferenceOut(**asdict(p)) for p in prefs])

    @router.put(
        "/preferences",
        response_model=PreferencesOut,
        summary="Turn channels on or off per event",
    )
    async def put_preferences(
        body: PreferencesIn, ctx: Ctx, who: CurrentIdentity
    ) -> PreferencesOut:
        changes = [(i.event, i.channel, i.enabled) for i in body.items]
        prefs = await preferences.set_preferences(ctx, user_id=who.user_id, changes=changes)
        return PreferencesOut(items=[PreferenceOut(**asdict(p)) for p in prefs])

    @router.get(
        "/notifications",
        response_model=FeedOut,
        summary="My in-app notifications, newest first, with the unread count",
    )
    async def list_notifications(
        ctx: Ctx,
        who: CurrentIdentity,
        cursor: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
    ) -> FeedOut:
        page = await feed.list_feed(ctx, user_id=who.user_id, cursor=cursor, limit=limit)
        return FeedOut(
            items=[FeedItemOut(**asdict(i)) for i in page.items],
            next_cursor=page.next_cursor,
            unread_count=page.unread_count,
        )

    @router.post(
        "/notifications/read-all",
        response_model=ReadAllOut,
        summary="Mark every notification read",
    )
    async def read_all(ctx: Ctx, who: CurrentIdentity) -> ReadAllOut:
        return ReadAllOut(updated=await feed.mark_all_read(ctx, user_id=who.user_id))

    @router.post(
        "/notifications/{item_id}/read", status_code=204, summary="Mark one notification read"
    )
    async def read_one(
        ctx: Ctx, who: CurrentIdentity, item_id: Annotated[str, Path(max_length=64)]
    ) -> Response:
        await feed.mark_read(ctx, user_id=who.user_id, item_id=item_id)
        return Response(status_code=204)

    return router


Operator = Annotated[Identity, Depends(require_permission("notifications.broadcast"))]


def dev_router() -> APIRouter:
    router = APIRouter(
        prefix="/v1/dev",
        tags=["dev"],
        responses={403: {"description": "staff only"}, 404: {"description": "off"}},
    )

    @router.get(
        "/outbox",
        response_model=OutboxOut,
        summary="Recorded e-mails and SMS (embedded mode, staff only)",
    )
    async def outbox(ctx: Ctx, _: Operator) -> OutboxOut:
        """What the recording channel kept (embedded mode only; 404 when distributed).

        Staff only: the recorded mails carry other users' one-time tokens.
        """
        if ctx.recorder is None or not ctx.settings.embedded:
            raise NotFound("the dev outbox exists only in embedded mode")
        return OutboxOut(
            items=[
                OutboxItemOut(
                    channel=m.channel,
                    user_id=m.user_id,
                    address=m.address,
                    subject=m.subject,
                    text=m.text,
                    html=m.html,
                )
                for m in ctx.recorder.sent
            ]
        )

    return router
