"""Events: the envelope, the shared schema registry and the payload schemas.

Topic naming: one topic per event type (``user.registered``), keyed by the aggregate id;
``SEND_NOTIFICATION`` is the one command topic. A topic's dead letters go to
``<topic>.DLQ``.
"""

from burency_common.events.envelope import EventEnvelope, TraceContext
from burency_common.events.registry import EventRegistry, EventSchema
from burency_common.events.schemas import (
    SEND_NOTIFICATION,
    USER_REGISTERED,
    SendNotification,
    UserRegistered,
    default_registry,
)

__all__ = [
    "SEND_NOTIFICATION",
    "USER_REGISTERED",
    "EventEnvelope",
    "EventRegistry",
    "EventSchema",
    "SendNotification",
    "TraceContext",
    "UserRegistered",
    "dead_letter_topic",
    "default_registry",
]


def dead_letter_topic(topic: str) -> str:
    """Where messages of ``topic`` go once their handler keeps failing."""
    return f"{topic}.DLQ"
