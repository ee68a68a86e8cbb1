"""A :class:`~burency_common.realtime.RealtimePublisher` over Redis, for distributed mode.

It speaks python-socketio's message-queue protocol (what
``socketio.AsyncRedisManager(url, write_only=True)`` publishes): one JSON message per
emit on the channel ``socketio``, ``{"method": "emit", "event", "data": [<payload>],
"namespace": "/", "room", ...}``. Every gateway process runs the reading side (its
Socket.IO server's Redis manager) and delivers each message to the sockets of that
room it holds. So a service needs no Socket.IO code, encodes each message once (one
``PUBLISH``, whatever the number of gateways and subscribers), and never waits on a
client.

Best effort, and never in the way of the caller: a publish that fails (Redis down)
is dropped and logged, and for :data:`BACKOFF_SECONDS` afterwards messages are dropped
without trying, so a dead Redis costs the market-data path nothing. Clients detect the
gap (``U``/``u``) and resync from a snapshot.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from burency_common.logging import get_logger
from burency_common.realtime import STREAM_EVENT, stream_room, user_room

__all__ = ["BACKOFF_SECONDS", "SOCKETIO_CHANNEL", "RedisRealtimePublisher", "emit_message"]

SOCKETIO_CHANNEL = "socketio"
"""python-socketio's default channel; the gateway's Redis manager listens on it."""
BACKOFF_SECONDS = 1.0
_NAMESPACE = "/"
_log = get_logger("burency.realtime")


def emit_message(event: str, data: Any, room: str, host_id: str) -> dict[str, Any]:
    """python-socketio's pub/sub ``emit`` message (as ``AsyncPubSubManager.emit`` builds it)."""
    return {
        "method": "emit",
        "event": event,
        "data": [data],
        "binary": False,
        "namespace": _NAMESPACE,
        "room": room,
        "skip_sid": None,
        "callback": None,
        "host_id": host_id,
    }


class RedisRealtimePublisher:
    """Publish to Socket.IO rooms through Redis; ``aclose()`` when done."""

    def __init__(
        self,
        url: str,
        *,
        channel: str = SOCKETIO_CHANNEL,
        timeout: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._redis: Redis[bytes] = Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        self._channel = channel
        self._host_id = uuid.uuid4().hex  # a sender id, as a write-only manager has one
        self._monotonic = monotonic
        self._quiet_until = 0.0
        self.published = 0
        self.dropped = 0

    async def publish_stream(self, stream: str, data: Any) -> None:
        message = {"stream": stream, "data": data}
        await self._publish(emit_message(STREAM_EVENT, message, stream_room(stream), self._host_id))

    async def publish_user(self, user_id: str, event: str, data: Any) -> None:
        await self._publish(emit_message(event, data, user_room(user_id), self._host_id))

    async def _publish(self, message: dict[str, Any]) -> None:
        now = self._monotonic()
        if now < self._quiet_until:
            self.dropped += 1
            return
        try:
            await self._redis.publish(self._channel, json.dumps(message, separators=(",", ":")))
        except (RedisError, OSError, TimeoutError) as exc:
            self.dropped += 1
            self._quiet_until = now + BACKOFF_SECONDS
            _log.warning("realtime.redis_publish_failed", error=type(exc).__name__)
            return
        self.published += 1

    async def aclose(self) -> None:
        client: Any = self._redis  # types-redis lacks ``aclose`` (redis-py >= 5.0.1)
        await client.aclose()
