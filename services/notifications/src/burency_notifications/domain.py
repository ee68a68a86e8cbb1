"""Event types, channels and the preference rules (pure, no I/O).

Security events must always reach the user by email: a preference can switch their
other channels off, never email (``CHANNEL_REQUIRED``). Marketing is opt-in on SMS.
"""

from __future__ import annotations

import re

from burency_common.errors import BurencyError
from burency_common.events.notification_types import NOTIFICATION_TYPES

__all__ = [
    "CHANNELS",
    "EVENT_TYPES",
    "LANGUAGES",
    "SECURITY_EVENTS",
    "ChannelRequired",
    "default_enabled",
    "is_required",
    "links_in",
]

CHANNELS: tuple[str, ...] = ("push", "email", "sms", "in_app")
LANGUAGES: tuple[str, ...] = ("en", "ar")
EVENT_TYPES: tuple[str, ...] = tuple(NOTIFICATION_TYPES)
SECURITY_EVENTS: frozenset[str] = frozenset(
    t.name for t in NOTIFICATION_TYPES.values() if t.security
)


class ChannelRequired(BurencyError):
    status = 422
    default_code = "CHANNEL_REQUIRED"
    title = "Channel required"


def is_required(event: str, channel: str) -> bool:
    """Security events always go out by email; a type that carries a secret always
    goes to its owner channel (the only one that can carry the link or code)."""
    kind = NOTIFICATION_TYPES.get(event)
    if kind is not None and kind.secrets and channel == kind.owner:
        return True
    return event in SECURITY_EVENTS and channel == "email"


def default_enabled(event: str, channel: str) -> bool:
    """Everything is on by default except marketing by SMS."""
    return not (event.startswith("marketing.") and channel == "sms")


_LINK = re.compile(r"https?://[^\s<>\"')]+")


def links_in(text: str) -> list[str]:
    """The URLs in a message's text, each once, without the sentence's final punctuation
    (``Open https://…/verify?token=abc.`` gives the link without the dot)."""
    links = (match.rstrip(".,;:!?") for match in _LINK.findall(text))
    return list(dict.fromkeys(link for link in links if link))
