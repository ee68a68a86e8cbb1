"""Publishers for when the platform gives none: the trading service then runs alone."""

from __future__ import annotations

from collections import deque
from typing import Any

__all__ = ["MemoryPublisher", "NullPublisher"]


class NullPublisher:
    """Publishes nothing (the default: nobody is listening)."""

    async def publish_stream(self, stream: str, data: Any) -> None:
        return None

    async def publish_user(self, user_id: str, event: str, data: Any) -> None:
        return None


class MemoryPublisher:
    """Keeps the last ``size`` messages of each kind (tests, and a look at what would go
    out): ``streams`` holds ``(stream, data)``, ``users`` ``(user id, event, data)``."""

    def __init__(self, size: int = 10_000) -> None:
        self.streams: deque[tuple[str, Any]] = deque(maxlen=size)
        self.users: deque[tuple[str, str, Any]] = deque(maxlen=size)

    async def publish_stream(self, stream: str, data: Any) -> None:
        self.streams.append((stream, data))

    async def publish_user(self, user_id: str, event: str, data: Any) -> None:
        self.users.append((user_id, event, data))

    def on(self, stream: str) -> list[Any]:
        """Every payload kept for ``stream``, oldest first."""
        return [data for name, data in self.streams if name == stream]
