"""Events published by the notification service (``notification.in_app.created``).

The in-app channel writes a feed item in the service's database and announces it in
the same transaction (outbox). The gateway consumes the event and pushes the item to
the user's Socket.IO room (``user:<id>``) as the ``notification`` event, so an open
SPA shows it at once; the feed API stays the source of truth for a client that was
offline.
"""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from burency_common.events.registry import EventRegistry, EventSchema
from burency_common.events.schemas import EventPayload

__all__ = [
    "NOTIFICATION_IN_APP_CREATED",
    "NotificationInAppCreated",
    "register_notification_events",
]

NOTIFICATION_IN_APP_CREATED = "notification.in_app.created"


class NotificationInAppCreated(EventPayload):
    """A new in-app feed item of ``user_id`` (v1); the fields are the feed API's item."""

    user_id: str = Field(min_length=1, max_length=200)
    id: str = Field(min_length=1, max_length=64, description="the feed item's id")
    notification_id: str = Field(min_length=1, max_length=64)
    event: str = Field(min_length=1, max_length=64)
    title: str = Field(max_length=255)
    body: str = Field(max_length=2000)
    created_at: AwareDatetime
    link: str | None = Field(
        default=None, max_length=255, description="the web app path it opens (additive)"
    )


def register_notification_events(registry: EventRegistry) -> None:
    registry.register(
        EventSchema(
            NOTIFICATION_IN_APP_CREATED,
            1,
            NotificationInAppCreated,
            "user_id",
            "an in-app notification was added to a user's feed",
        )
    )
