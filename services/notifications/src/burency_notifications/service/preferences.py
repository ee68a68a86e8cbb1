"""Per-user preferences: event type and channel, on top of the defaults in ``domain``.

Only changes are stored; reading merges them over the defaults. Switching email off
for a security event is refused (``CHANNEL_REQUIRED``) rather than silently ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from burency_common.db import upsert
from burency_notifications.adapters.orm import preferences
from burency_notifications.domain import (
    CHANNELS,
    EVENT_TYPES,
    ChannelRequired,
    default_enabled,
    is_required,
)
from burency_notifications.service.context import NotificationsContext

__all__ = ["Preference", "get_preferences", "set_preferences"]


@dataclass(frozen=True)
class Preference:
    event: str
    channel: str
    enabled: bool
    required: bool


async def get_preferences(ctx: NotificationsContext, *, user_id: str) -> list[Preference]:
    async with ctx.transaction() as db:
        rows = await db.execute(select(preferences).where(preferences.c.user_id == user_id))
        stored = {(r.event, r.channel): bool(r.enabled) for r in rows}
    return [
        Preference(
            event=event,
            channel=channel,
            enabled=stored.get((event, channel), default_enabled(event, channel))
            or is_required(event, channel),
            required=is_required(event, channel),
        )
        for event in EVENT_TYPES
        for channel in CHANNELS
    ]


async def set_preferences(
    ctx: NotificationsContext, *, user_id: str, changes: Sequence[tuple[str, str, bool]]
) -> list[Preference]:
    """Apply ``(event, channel, enabled)`` changes (all or none)."""
    for event, channel, enabled in changes:
        if not enabled and is_required(event, channel):
            raise ChannelRequired(f"{event} is a security notification: email must stay on")
    now = ctx.clock.now()
    async with ctx.transaction() as db:
        for event, channel, enabled in changes:
            row = {"user_id": user_id, "event": event, "channel": channel}
            await upsert(
                db,
                preferences,
                {**row, "enabled": enabled, "updated_at": now},
                index_elements=list(row),
            )
    return await get_preferences(ctx, user_id=user_id)
