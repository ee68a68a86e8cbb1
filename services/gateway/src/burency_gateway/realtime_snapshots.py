"""Order-book snapshots for depth subscribers, from the trading service's public ``/v1/depth``.

A client applies diffs (``U``/``u``) on top of a snapshot (``lastUpdateId``); the
snapshot must be taken *after* the socket joined the stream's room, or a diff published
in between would be in neither. :class:`DepthSnapshots` guarantees that, while one
fetch still serves a burst of subscribers (a reconnect storm of a thousand clients
costs the trading service a handful of requests, not a thousand): each subscriber takes
a ticket once it joined the room, and shares a fetch only if that fetch started after
its ticket.

The fetch goes to the trading service's pool like any proxied request (embedded: the
in-process app; distributed: its instances over HTTP, load-balanced).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import httpx

__all__ = [
    "DEFAULT_SNAPSHOT_LIMIT",
    "DepthFetch",
    "DepthSnapshots",
    "SnapshotUnavailable",
    "upstream_depth_fetch",
]

DEFAULT_SNAPSHOT_LIMIT = 1000
DepthFetch = Callable[[str, int], Awaitable[dict[str, Any]]]
"""``fetch(symbol, limit)`` → ``{"lastUpdateId": int, "bids": [[p, q], ...], "asks": [...]}``."""


class SnapshotUnavailable(Exception):
    """No snapshot now: ``code`` and ``message`` are what the client is told."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _checked(body: Any) -> dict[str, Any]:
    if (
        isinstance(body, dict)
        and isinstance(body.get("lastUpdateId"), int)
        and isinstance(body.get("bids"), list)
        and isinstance(body.get("asks"), list)
    ):
        return {"lastUpdateId": body["lastUpdateId"], "bids": body["bids"], "asks": body["asks"]}
    raise SnapshotUnavailable("SNAPSHOT_UNAVAILABLE", "the trading service sent no depth")


class _Instance(Protocol):
    @property
    def client(self) -> httpx.AsyncClient: ...

    @property
    def base_url(self) -> str: ...


class _Pool(Protocol):
    def choose(self) -> _Instance | None: ...


class _Pools(Protocol):
    """What this needs of :class:`burency_gateway.proxy.Upstreams` (not imported: the
    realtime modules stay below the proxy in the gateway's layers)."""

    def get(self, service: str) -> Any: ...


def upstream_depth_fetch(
    upstreams: _Pools, *, service: str = "trading", path: str = "/v1/depth"
) -> DepthFetch:
    """Fetch ``GET <trading>/v1/depth?symbol=&limit=`` from an instance of the pool."""

    async def fetch(symbol: str, limit: int) -> dict[str, Any]:
        pool: _Pool | None = upstreams.get(service)
        instance = pool.choose() if pool is not None else None
        if instance is None:
            raise SnapshotUnavailable("SNAPSHOT_UNAVAILABLE", "the trading service is unavailable")
        try:
            response = await instance.client.get(
                instance.base_url + path, params={"symbol": symbol, "limit": limit}, timeout=5.0
            )
        except httpx.HTTPError:
            raise SnapshotUnavailable(
                "SNAPSHOT_UNAVAILABLE", "the trading service did not answer"
            ) from None
        if 400 <= response.status_code < 500:
            problem = _json(response)
            code = problem.get("code") if isinstance(problem, dict) else None
            raise SnapshotUnavailable(str(code or "INVALID_SYMBOL"), f"no depth for {symbol}")
        if response.status_code != 200:
            raise SnapshotUnavailable("SNAPSHOT_UNAVAILABLE", "the trading service failed")
        return _checked(_json(response))

    return fetch


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


class DepthSnapshots:
    """Snapshots per market, one fetch shared by the subscribers it is fresh enough for."""

    def __init__(self, fetch: DepthFetch, *, limit: int = DEFAULT_SNAPSHOT_LIMIT) -> None:
        self._fetch = fetch
        self.limit = limit
        self._tickets = itertools.count(1)
        self._inflight: dict[str, tuple[int, asyncio.Future[dict[str, Any]]]] = {}
        self.fetches = 0  # fetches started, since start (for tests and metrics)

    def ticket(self) -> int:
        """Take this right after joining the room; pass it to :meth:`get`."""
        return next(self._tickets)

    async def get(self, symbol: str, ticket: int) -> dict[str, Any]:
        """A snapshot of ``symbol`` (``BTCAED``) fetched after ``ticket`` was taken."""
        current = self._inflight.get(symbol)
        if current is not None and current[0] > ticket:
            return await asyncio.shield(current[1])
        started = next(self._tickets)
        future = asyncio.ensure_future(self._fetch(symbol, self.limit))
        entry = (started, future)
        self._inflight[symbol] = entry
        self.fetches += 1

        def forget(_: object) -> None:
            if self._inflight.get(symbol) is entry:
                del self._inflight[symbol]
            if not future.cancelled():
                future.exception()  # retrieved: a failure is each waiter's to report

        future.add_done_callback(forget)
        return await asyncio.shield(future)
