"""The real-time port: how a service pushes to Socket.IO rooms without knowing who holds them.

Rooms are the gateway's (its Socket.IO edge, ``burency_gateway.realtime``):

* ``stream:<name>`` — a public market stream, ``<name>`` in Binance's spelling
  (``btcaed@depth@100ms``, ``btcaed@depth``, ``btcaed@trade``, ``btcaed@ticker``,
  ``btcaed@bookTicker``, ``btcaed@kline_1m``: the market's symbol without its slash,
  lower case, then ``@`` and the stream). Subscribers receive the Socket.IO event
  ``stream`` with ``{"stream": <name>, "data": <payload>}``.
* ``user:<id>`` — one user's private updates (order updates, fills, balances, in-app
  notifications): the Socket.IO event named by the publisher.

In embedded mode the publisher is the gateway's hub itself (same process); in
distributed mode a service publishes through Redis (Socket.IO's message queue) and every
gateway process delivers to the sockets it holds. A publisher never blocks its caller on
a slow client: it encodes each message once per room and hands it on.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

__all__ = ["STREAM_EVENT", "ListenerDirectory", "RealtimePublisher", "stream_room", "user_room"]

STREAM_EVENT = "stream"


def stream_room(stream: str) -> str:
    return f"stream:{stream}"


def user_room(user_id: str) -> str:
    return f"user:{user_id}"


class RealtimePublisher(Protocol):
    """Push to Socket.IO rooms; best effort (a client that missed a message resyncs)."""

    async def publish_stream(self, stream: str, data: Any) -> None:
        """Send ``{"stream": stream, "data": data}`` as event ``stream`` to its room."""
        ...

    async def publish_user(self, user_id: str, event: str, data: Any) -> None:
        """Send ``event`` with ``data`` to the sockets of ``user_id``."""
        ...


@runtime_checkable
class ListenerDirectory(Protocol):
    """A publisher that knows whether a user has a socket at all (embedded mode: the
    hub holds every socket). A service may skip building private messages nobody would
    receive; a publisher without it (Redis: the sockets are in other processes) is
    assumed to have listeners for everyone."""

    def has_listener(self, user_id: str) -> bool: ...
