"""Live notifications at the Socket.IO edge: in-app items from the bus pushed to users' rooms.

The notification service announces each new in-app item as
``notification.in_app.created``; :func:`push_in_app_item` sends it to the socket(s) of
that user (room ``user:<id>``) as the Socket.IO event ``notification``, shaped like
an item of the feed API (camelCase, ISO 8601 UTC with milliseconds, ``readAt`` null)
plus its ``notificationId``, so the SPA can prepend it to the list it already shows.

Delivery is best effort by design: a user with no open socket simply reads the feed
later; a redelivered event may show the same item twice, which the client dedupes by
``id``. An invalid event raises :class:`~burency_common.errors.EventSchemaError`, so
the bus dead-letters it instead of retrying.
"""

from __future__ import annotations

from typing import Any

from burency_common.events import EventEnvelope, EventRegistry
from burency_common.events.notifications import NotificationInAppCreated
from burency_common.logging import get_logger
from burency_common.timeutil import to_iso_ms
from burency_gateway.realtime import RealtimeHub

__all__ = ["SOCKET_EVENT", "in_app_item", "push_in_app_item"]

SOCKET_EVENT = "notification"
_log = get_logger("burency.realtime")


def in_app_item(payload: NotificationInAppCreated) -> dict[str, Any]:
    """The Socket.IO message: the feed API's item fields."""
    return {
        "id": payload.id,
        "notificationId": payload.notification_id,
        "event": payload.event,
        "title": payload.title,
        "body": payload.body,
        "createdAt": to_iso_ms(payload.created_at),
        "readAt": None,
        "link": payload.link,  # the web app path the feed item opens (None: nowhere)
    }


async def push_in_app_item(
    hub: RealtimeHub, registry: EventRegistry, envelope: EventEnvelope
) -> None:
    payload = registry.parse_payload(envelope)
    assert isinstance(payload, NotificationInAppCreated)
    await hub.emit_to_user(payload.user_id, SOCKET_EVENT, in_app_item(payload))
    _log.info("realtime.notification_pushed", user_id=payload.user_id, item_id=payload.id)
