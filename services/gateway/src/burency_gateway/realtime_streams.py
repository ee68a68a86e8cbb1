"""Public stream subscriptions at the Socket.IO edge: subscribe, unsubscribe, snapshot.

Events a client sends (each answered through its acknowledgement):

* ``subscribe`` ``{"streams": [<name>, ...]}`` → ``{"result": [<every stream joined>]}``.
  For each diff-depth stream named (``<symbol>@depth``, ``<symbol>@depth@100ms``,
  ``<symbol>@depth@1000ms``), the socket first receives the event ``snapshot``
  ``{"stream": <name>, "data": {"lastUpdateId", "bids", "asks"}}`` (or ``{"stream",
  "error": {"code", "message"}}`` if none could be had), taken after the socket joined
  the room: every diff with ``u > lastUpdateId`` follows it. The acknowledgement comes
  after the snapshots.
* ``unsubscribe`` ``{"streams": [...]}`` → ``{"result": [<streams still joined>]}``.
* ``snapshot`` ``{"stream": <name>}`` → ``{"result": {"stream", "data"}}``: a fresh
  snapshot of a diff-depth stream the socket is subscribed to, to resync after a gap.
  Snapshots, on subscribe or asked, cost a socket one of its :data:`SNAPSHOT_BURST`
  tokens, which come back at one a second: a client cannot make the trading service
  answer a snapshot per subscribe in a loop (beyond its tokens, the ``snapshot`` event
  says ``SNAPSHOT_RATE_LIMITED``; the client asks again later).

Errors are ``{"error": {"code", "message"}}``: ``INVALID_STREAMS``, ``TOO_MANY_STREAMS``,
``NOT_SUBSCRIBED``, ``NOT_A_DEPTH_STREAM``, ``SNAPSHOT_RATE_LIMITED``,
``SNAPSHOT_UNAVAILABLE`` (and the trading service's own code for an unknown market).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import socketio

from burency_common.realtime import stream_room
from burency_gateway.realtime_names import StreamName, parse_stream
from burency_gateway.realtime_snapshots import DepthSnapshots, SnapshotUnavailable

__all__ = ["MAX_STREAMS_PER_SOCKET", "SNAPSHOT_BURST", "SNAPSHOT_EVENT", "StreamSubscriptions"]

MAX_STREAMS_PER_SOCKET = 50
SNAPSHOT_EVENT = "snapshot"
SNAPSHOT_BURST = 20
SNAPSHOT_REFILL_PER_SECOND = 1.0


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _requested(data: Any) -> list[StreamName] | None:
    streams = data.get("streams") if isinstance(data, dict) else None
    if not isinstance(streams, list) or not streams or len(streams) > MAX_STREAMS_PER_SOCKET:
        return None
    if not all(isinstance(s, str) for s in streams):
        return None
    parsed = [parse_stream(s) for s in dict.fromkeys(streams)]
    valid = [p for p in parsed if p is not None]
    return valid if len(valid) == len(parsed) else None


class _Bucket:
    """A socket's allowance of snapshot requests (token bucket)."""

    __slots__ = ("at", "tokens")

    def __init__(self, now: float) -> None:
        self.tokens = float(SNAPSHOT_BURST)
        self.at = now

    def take(self, now: float) -> bool:
        self.tokens = min(
            SNAPSHOT_BURST, self.tokens + (now - self.at) * SNAPSHOT_REFILL_PER_SECOND
        )
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class StreamSubscriptions:
    """The ``subscribe`` / ``unsubscribe`` / ``snapshot`` handlers of one server."""

    def __init__(
        self,
        server: socketio.AsyncServer,
        snapshots: DepthSnapshots | None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._server = server
        self._snapshots = snapshots
        self._monotonic = monotonic

    def register(self) -> None:
        self._server.on("subscribe", self.on_subscribe)
        self._server.on("unsubscribe", self.on_unsubscribe)
        self._server.on(SNAPSHOT_EVENT, self.on_snapshot)

    async def _joined(self, sid: str) -> set[str]:
        session: dict[str, Any] = await self._server.get_session(sid)
        streams: set[str] = session.setdefault("streams", set())
        return streams

    async def on_subscribe(self, sid: str, data: Any) -> dict[str, Any]:
        streams = _requested(data)
        if streams is None:
            return _error("INVALID_STREAMS", "streams must be a list of stream names")
        joined = await self._joined(sid)
        if len(joined | {s.name for s in streams}) > MAX_STREAMS_PER_SOCKET:
            return _error("TOO_MANY_STREAMS", f"at most {MAX_STREAMS_PER_SOCKET} streams")
        for stream in streams:
            await self._server.enter_room(sid, stream_room(stream.name))
            joined.add(stream.name)
        depth = [s for s in streams if s.is_diff_depth]
        if depth and self._snapshots is not None:
            ticket = self._snapshots.ticket()  # after every join: no diff falls in between
            await asyncio.gather(*(self._push_snapshot(sid, s, ticket) for s in depth))
        return {"result": sorted(joined)}

    async def _allowed(self, sid: str) -> bool:
        """Take one of the socket's snapshot tokens, if it has one."""
        session: dict[str, Any] = await self._server.get_session(sid)
        now = self._monotonic()
        bucket: _Bucket = session.setdefault("snapshot_bucket", _Bucket(now))
        return bucket.take(now)

    async def _push_snapshot(self, sid: str, stream: StreamName, ticket: int) -> None:
        assert self._snapshots is not None
        message: dict[str, Any] = {"stream": stream.name}
        try:
            if not await self._allowed(sid):
                raise SnapshotUnavailable("SNAPSHOT_RATE_LIMITED", "too many snapshots")
            message["data"] = await self._snapshots.get(stream.market_symbol, ticket)
        except SnapshotUnavailable as exc:
            message.update(_error(exc.code, exc.message))
        await self._server.emit(SNAPSHOT_EVENT, message, to=sid, ignore_queue=True)

    async def on_unsubscribe(self, sid: str, data: Any) -> dict[str, Any]:
        streams = _requested(data)
        if streams is None:
            return _error("INVALID_STREAMS", "streams must be a list of stream names")
        joined = await self._joined(sid)
        for stream in streams:
            await self._server.leave_room(sid, stream_room(stream.name))
            joined.discard(stream.name)
        return {"result": sorted(joined)}

    async def on_snapshot(self, sid: str, data: Any) -> dict[str, Any]:
        stream = parse_stream(data.get("stream") if isinstance(data, dict) else None)
        if stream is None:
            return _error("INVALID_STREAMS", "stream must be a stream name")
        if not stream.is_diff_depth or self._snapshots is None:
            return _error("NOT_A_DEPTH_STREAM", "snapshots exist for depth diff streams only")
        session: dict[str, Any] = await self._server.get_session(sid)
        if stream.name not in session.get("streams", ()):
            return _error("NOT_SUBSCRIBED", "subscribe to the stream first")
        if not await self._allowed(sid):
            return _error("SNAPSHOT_RATE_LIMITED", "too many snapshots: one a second")
        try:
            snapshot = await self._snapshots.get(stream.market_symbol, self._snapshots.ticket())
        except SnapshotUnavailable as exc:
            return _error(exc.code, exc.message)
        return {"result": {"stream": stream.name, "data": snapshot}}
