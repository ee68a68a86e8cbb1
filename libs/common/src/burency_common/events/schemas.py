"""Payload schemas of the events services exchange, and the function that registers them.

Event payloads are snake_case JSON (they are internal). Amounts are decimal strings
and ids are UUIDv7 strings, as on the public API.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from burency_common.events.registry import EventRegistry, EventSchema

__all__ = [
    "SEND_NOTIFICATION",
    "USER_REGISTERED",
    "UserRegistered",
    "default_registry",
]

USER_REGISTERED = "user.registered"
SEND_NOTIFICATION = "SEND_NOTIFICATION"


class EventPayload(BaseModel):
    """Base of every payload: unknown fields are kept (additive changes within a version)."""

    model_config = ConfigDict(extra="allow", frozen=True)


class UserRegistered(EventPayload):
    """Auth registered a new account; users, banking and notifications react to it."""

    user_id: str
    email: str
    created_at: datetime
    referral_code: str | None = None


class SendNotification(EventPayload):
    """A command to the notification service (the seed's ``SEND_NOTIFICATION`` topic)."""

    notification_id: str = Field(description="idempotency id: the same id never delivers twice")
    event: str = Field(description="notification event type, e.g. auth.welcome")
    user_ids: list[str] = Field(default_factory=list)
    segment: str | None = Field(
        default=None,
        max_length=64,
        description=(
            "instead of user_ids, an audience: 'all' or 'kyc_level<op><0-3>' (op: >= > = <= <);"
            " fanned out as a mass announcement whose id is notification_id"
        ),
    )
    data: dict[str, object] = Field(default_factory=dict)
    channels: list[str] | None = None
    priority: str = "normal"


def default_registry() -> EventRegistry:
    """Build the registry of every event schema known to this version of Burency."""
    from burency_common.events.auth import register_auth_events  # noqa: PLC0415 - cycle
    from burency_common.events.kyc import register_kyc_events  # noqa: PLC0415 - cycle
    from burency_common.events.notifications import (  # noqa: PLC0415 - cycle
        register_notification_events,
    )
    from burency_common.events.trading import register_trading_events  # noqa: PLC0415 - cycle
    from burency_common.events.users import register_user_events  # noqa: PLC0415 - cycle
    from burency_common.events.wallet import register_wallet_events  # noqa: PLC0415 - cycle

    registry = EventRegistry()
    register_auth_events(registry)
    register_kyc_events(registry)
    register_user_events(registry)
    register_notification_events(registry)
    register_wallet_events(registry)
    register_trading_events(registry)
    registry.register(
        EventSchema(USER_REGISTERED, 1, UserRegistered, "user_id", "a user account was created")
    )
    registry.register(
        EventSchema(
            SEND_NOTIFICATION, 1, SendNotification, "notification_id", "deliver a notification"
        )
    )
    return registry
