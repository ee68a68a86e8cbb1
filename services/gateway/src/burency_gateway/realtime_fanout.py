"""Room fan-out that costs one encoding per message and one queue append per recipient.

What python-socketio (5.x) does per emit to a room: it encodes the packet once, then
creates one asyncio task per recipient (``_send_eio_packet`` → ``send_packet`` →
``AsyncSocket.send`` → ``queue.put``) and waits for all of them; each recipient's
websocket writer then wakes from ``asyncio.wait_for(queue.get(), ...)``, which wraps
the ``get()`` coroutine in one more task per message. For a 100 ms depth stream with
1,000 subscribers that is ~20,000 tasks a second on top of the frames themselves.

Here, without changing a byte on the wire:

* :class:`FanoutManager` (and :class:`FanoutRedisManager`, the same over Redis's
  pub/sub) encodes the Socket.IO and Engine.IO packet once per emit and appends that
  one packet object to each recipient's queue directly: no task per recipient, no
  waiting for recipients (the emitter never waits on a client);
* :class:`HandoffQueue` is each Engine.IO socket's queue: ``get()`` returns a plain
  future (handed the packet directly by ``put_nowait``), so the writer's ``wait_for``
  wraps no task; it is bounded by the fan-out: a recipient with ``max_queued``
  packets still unsent is too far behind to catch up, so its backlog is dropped and
  its transport closed; the client reconnects (Socket.IO clients do so by themselves
  after a transport close), resubscribes and starts again from a fresh snapshot.

Emits with an acknowledgement callback, or whose payload has binary attachments,
take python-socketio's own path (rare, and per recipient by nature).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from typing import Any

import engineio
import socketio
from engineio import packet as eio_packet
from engineio.async_socket import AsyncSocket
from socketio import packet as sio_packet

from burency_common.logging import get_logger

__all__ = [
    "DEFAULT_MAX_QUEUED",
    "FanoutManager",
    "FanoutRedisManager",
    "FanoutServer",
    "FanoutSocket",
    "HandoffQueue",
]

DEFAULT_MAX_QUEUED = 1024
"""Packets a recipient may have unsent before it counts as too far behind."""
_log = get_logger("burency.realtime")


class HandoffQueue:
    """One Engine.IO socket's outgoing packets, for its single writer.

    The subset of ``asyncio.Queue`` Engine.IO uses (``get``, ``get_nowait``, ``put``,
    ``put_nowait``, ``task_done``, ``join``, ``qsize``, ``empty``). ``get`` is not a
    coroutine but returns a future: awaiting it directly, or through ``wait_for``,
    creates no task. ``None`` is Engine.IO's "stop writing" sentinel.
    """

    def __init__(self) -> None:
        self._items: deque[Any] = deque()
        self._waiter: asyncio.Future[Any] | None = None
        self._unfinished = 0
        self._finished = asyncio.Event()
        self._finished.set()

    def qsize(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put_nowait(self, item: Any) -> None:
        self._unfinished += 1
        self._finished.clear()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._waiter = None
            waiter.set_result(item)
        else:
            self._items.append(item)

    async def put(self, item: Any) -> None:
        self.put_nowait(item)

    def get(self) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if self._items:
            future.set_result(self._items.popleft())
        else:
            self._waiter = future
        return future

    def get_nowait(self) -> Any:
        if not self._items:
            raise asyncio.QueueEmpty
        return self._items.popleft()

    def task_done(self) -> None:
        self._unfinished = max(0, self._unfinished - 1)
        if self._unfinished == 0:
            self._finished.set()

    async def join(self) -> None:
        await self._finished.wait()

    def abandon(self) -> None:
        """Drop every unsent packet and tell the writer to stop (closing the transport)."""
        dropped = len(self._items)
        self._items.clear()
        self._unfinished = max(0, self._unfinished - dropped)
        self.put_nowait(None)


class FanoutEngineServer(engineio.AsyncServer):  # type: ignore[misc]
    """Engine.IO server whose sockets queue through :class:`HandoffQueue`."""

    def create_queue(self, *args: Any, **kwargs: Any) -> HandoffQueue:
        return HandoffQueue()


class FanoutSocket(AsyncSocket):  # type: ignore[misc]
    """An Engine.IO socket whose websocket writer waits for packets without a timer.

    Engine.IO's ``poll`` waits with ``wait_for(queue.get(), ping_interval +
    ping_timeout)``: one timer armed and cancelled per packet. Over a websocket the
    timeout is not needed (the socket's reader enforces the ping timeout and, when the
    connection ends, stops the writer with ``None``), so it waits on the queue alone.
    Long-polling keeps Engine.IO's ``poll`` (there the timeout ends an idle request).
    """

    async def poll(self) -> list[Any]:
        if not self.upgraded:
            packets: list[Any] = await super().poll()
            return packets
        queue = self.queue
        first = await queue.get()
        queue.task_done()
        if first is None:
            return []
        packets = [first]
        while not queue.empty():
            item = queue.get_nowait()
            queue.task_done()
            if item is None:
                queue.put_nowait(None)  # the writer stops after sending these
                break
            packets.append(item)
        return packets


class FanoutServer(socketio.AsyncServer):  # type: ignore[misc]
    """``socketio.AsyncServer`` on :class:`FanoutEngineServer` and :class:`FanoutSocket`."""

    def _engineio_server_class(self) -> type[FanoutEngineServer]:
        return FanoutEngineServer

    async def _handle_eio_connect(self, eio_sid: str, environ: Any) -> Any:
        # Engine.IO builds its sockets itself; this runs before it starts serving one
        socket = self.eio.sockets.get(eio_sid)
        if type(socket) is AsyncSocket and isinstance(socket.queue, HandoffQueue):
            socket.__class__ = FanoutSocket
        return await super()._handle_eio_connect(eio_sid, environ)


class FanoutManager(socketio.AsyncManager):  # type: ignore[misc]
    """Client manager whose room emits are one encoding plus one append per recipient."""

    def __init__(self, *args: Any, max_queued: int = DEFAULT_MAX_QUEUED, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_queued = max_queued
        self.shed = 0  # recipients dropped for being too far behind, since start
        self._tasks: set[asyncio.Task[None]] = set()

    async def emit(  # noqa: PLR0917 - AsyncManager.emit's signature
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        if callback is not None or namespace not in self.rooms:
            await super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs
            )
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(
            sio_packet.EVENT, namespace=namespace, data=[event, *args]
        ).encode()
        if isinstance(encoded, list):  # binary attachments: several packets each
            await super().emit(event, data, namespace, room=room, skip_sid=skip_sid, **kwargs)
            return
        wire = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        wire.encode()  # cached on the packet: every recipient's writer reuses it
        skip = set(skip_sid) if isinstance(skip_sid, list) else {skip_sid}
        self.deliver(wire, self.get_participants(namespace, room), skip)

    def deliver(
        self, wire: eio_packet.Packet, participants: Iterable[tuple[str, str]], skip: set[Any]
    ) -> int:
        """Append ``wire`` to each participant's queue; returns how many got it."""
        sockets = self.server.eio.sockets
        limit = self.max_queued
        sent = 0
        for sid, eio_sid in participants:
            if sid in skip:
                continue
            socket = sockets.get(eio_sid)
            if socket is None or socket.closed or socket.closing:
                continue
            queue = socket.queue
            if queue.qsize() >= limit:
                self._shed_socket(socket)
                continue
            queue.put_nowait(wire)
            sent += 1
        return sent

    def _shed_socket(self, socket: Any) -> None:
        """Drop a recipient too far behind: its backlog, then its transport."""
        socket.closing = True  # no further packets; close() below completes it
        queue = socket.queue
        if isinstance(queue, HandoffQueue):
            queue.abandon()
        self.shed += 1
        _log.warning("realtime.slow_consumer_dropped", backlog=self.max_queued)
        task = asyncio.get_running_loop().create_task(self._close(socket))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _close(self, socket: Any) -> None:
        socket.closing = False  # let close() run its disconnect handlers
        reason = self.server.eio.reason.SERVER_DISCONNECT
        await socket.close(wait=False, abort=True, reason=reason)


class FanoutRedisManager(socketio.AsyncRedisManager, FanoutManager):  # type: ignore[misc]
    """``AsyncRedisManager`` (same channel and message format) whose local delivery is
    :class:`FanoutManager`'s: each gateway process encodes a message once for its room."""

    def __init__(
        self, url: str, *, channel: str, max_queued: int = DEFAULT_MAX_QUEUED, **kwargs: Any
    ) -> None:
        # the cooperative __init__ chain runs FanoutManager's with its defaults
        socketio.AsyncRedisManager.__init__(self, url, channel=channel, **kwargs)
        self.max_queued = max_queued
