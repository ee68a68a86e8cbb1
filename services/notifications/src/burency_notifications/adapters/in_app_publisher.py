"""Live in-app notifications: each new feed item is announced on the bus.

:func:`in_app_announcer` gives the in-app channel a callback that writes
``notification.in_app.created`` to the service's outbox in the transaction that
inserts the item, so the item and its announcement commit together (never one
without the other); the outbox relay publishes it and the gateway pushes it to the
user's Socket.IO room. A client that was offline reads the feed API instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from burency_common.events import EventRegistry
from burency_common.events.notifications import (
    NOTIFICATION_IN_APP_CREATED,
    NotificationInAppCreated,
)
from burency_common.outbox import add_to_outbox
from burency_notifications.adapters.orm import outbox

__all__ = ["in_app_announcer"]


def in_app_announcer(
    registry: EventRegistry,
) -> Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]:
    async def announce(db: AsyncSession, item: dict[str, Any]) -> None:
        payload = NotificationInAppCreated(**item)
        envelope = registry.build(
            payload, event_type=NOTIFICATION_IN_APP_CREATED, producer="notifications"
        )
        await add_to_outbox(db, outbox, envelope)

    return announce
