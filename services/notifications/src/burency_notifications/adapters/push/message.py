"""What a push is (one message to one registration token) and how sending it fails."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

__all__ = [
    "PushError",
    "PushMessage",
    "PushPermanentError",
    "PushSender",
    "PushTokenInvalid",
    "PushTransientError",
]


class PushError(Exception):
    """A push was not accepted; ``reason`` is safe to log (no token, no credential)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PushTransientError(PushError):
    def __init__(self, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PushPermanentError(PushError):
    pass


class PushTokenInvalid(PushPermanentError):
    """FCM says the token will never work again: the device must be pruned."""


@dataclass(frozen=True)
class PushMessage:
    """One notification to one device.

    ``collapse_id`` identifies the logical message (notification or announcement id):
    it becomes ``android.collapse_key``, ``apns-collapse-id`` and the web push
    ``Topic``, so a device that receives a resend shows it once.
    """

    token: str
    title: str
    body: str
    collapse_id: str
    data: dict[str, str] = field(default_factory=dict)

    def to_fcm(self) -> dict[str, Any]:
        """The FCM HTTP v1 ``message`` object."""
        return {
            "token": self.token,
            "notification": {"title": self.title, "body": self.body},
            "data": self.data,
            "android": {"collapse_key": self.collapse_id[:64]},
            "apns": {"headers": {"apns-collapse-id": self.collapse_id[:64]}},
            "webpush": {"headers": {"Topic": web_topic(self.collapse_id)}},
        }


@lru_cache(maxsize=1024)
def web_topic(collapse_id: str) -> str:
    """A web push ``Topic`` (at most 32 URL-safe characters, RFC 8030 section 5.4)."""
    return hashlib.sha256(collapse_id.encode()).hexdigest()[:32]


class PushSender(Protocol):
    """Sends one push; returns the provider's message id (``projects/p/messages/...``)."""

    async def send(self, message: PushMessage) -> str: ...

    async def close(self) -> None: ...
