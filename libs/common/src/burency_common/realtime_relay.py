"""A :class:`~burency_common.realtime.RealtimePublisher` that forwards to one bound later.

Embedded mode builds the services before the gateway whose Socket.IO hub publishes
(the gateway needs the services' apps as its upstreams): a service gets this relay,
and the platform binds it to the hub once the hub exists. Until then, and after
:meth:`RealtimeRelay.unbind`, messages are dropped (and counted): best effort, as
the port says.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from burency_common.realtime import ListenerDirectory, RealtimePublisher

__all__ = ["RealtimeRelay"]


class RealtimeRelay:
    """Forwards ``publish_stream`` / ``publish_user`` to its target, if bound."""

    def __init__(self, target: RealtimePublisher | None = None) -> None:
        self.target: RealtimePublisher | None = None
        self._listens: Callable[[str], bool] | None = None
        self.dropped = 0
        if target is not None:
            self.bind(target)

    def bind(self, target: RealtimePublisher) -> None:
        self.target = target
        # decided once: a runtime protocol check is too slow for every private message
        self._listens = target.has_listener if isinstance(target, ListenerDirectory) else None

    def unbind(self) -> None:
        self.target = None
        self._listens = None

    async def publish_stream(self, stream: str, data: Any) -> None:
        target = self.target
        if target is None:
            self.dropped += 1
            return
        await target.publish_stream(stream, data)

    def has_listener(self, user_id: str) -> bool:
        """Whether a message for ``user_id`` would reach a socket (unbound: no)."""
        if self.target is None:
            return False
        listens = self._listens
        return listens is None or listens(user_id)

    async def publish_user(self, user_id: str, event: str, data: Any) -> None:
        target = self.target
        if target is None:
            self.dropped += 1
            return
        await target.publish_user(user_id, event, data)
