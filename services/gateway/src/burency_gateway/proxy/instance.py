"""One upstream instance: where it is, its pooled connections, and its health counters.

Two kinds, one code path: the forwarder calls :meth:`Instance.exchange` and gets an
:class:`~burency_gateway.proxy.hop.Answer` either way. An HTTP instance
(``Instance.http``) sends proxied requests through its own aiohttp session
(:class:`~burency_gateway.proxy.hop.HttpHop`: keep-alive pool of ``max_connections``,
idle connections dropped after ``keepalive_expiry``); an embedded instance
(``Instance.asgi``) wraps an in-process ASGI app in :class:`httpx.ASGITransport`, so
``make run`` stays one process. :attr:`Instance.client` is an :class:`httpx.AsyncClient`
for health checks and ad-hoc calls (over the ASGI transport, or over the first of the
HTTP instance's httpx pools, which :meth:`Instance.send` also uses).

Everything is built lazily on first use and closed by :meth:`Instance.aclose`; nothing
is created at import time or in the constructor, so an instance may be declared before
an event loop exists.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Literal

import httpx
from starlette.types import ASGIApp

from burency_gateway.proxy.asgi_hop import asgi_exchange, plain_target
from burency_gateway.proxy.hop import (
    Answer,
    HttpHop,
    HttpxAnswer,
    httpx_error,
    text_headers,
    upstream_url,
)

__all__ = ["Instance"]

Kind = Literal["http", "asgi"]


class _NoCookies(DefaultCookiePolicy):
    """A proxy must never keep one client's cookies and replay them for another."""

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False

    def return_ok(self, cookie: Any, request: Any) -> bool:
        return False


@dataclass(eq=False)
class Instance:
    """An upstream instance. Build with :meth:`http` or :meth:`asgi`.

    ``in_flight``, ``consecutive_failures``, ``ejected`` and ``last_failure`` (a
    ``time.monotonic()`` stamp, 0 when it never failed) are maintained by the pool and the
    forwarder; they are plain attributes because everything runs on one event loop.
    """

    url: str
    kind: Kind
    limits: httpx.Limits = field(default_factory=httpx.Limits)
    connect_timeout: float = 2.0
    app: ASGIApp | None = None
    in_flight: int = 0
    consecutive_failures: int = 0
    ejected: bool = False
    last_failure: float = 0.0
    pool_shards: int = 1
    _transports: tuple[httpx.AsyncBaseTransport, ...] = field(default=(), repr=False)
    _client: httpx.AsyncClient | None = field(default=None, repr=False)
    _hop: HttpHop | None = field(default=None, repr=False)
    _turn: itertools.count[int] = field(default_factory=itertools.count, repr=False)

    @classmethod
    def http(
        cls,
        base_url: str,
        *,
        max_connections: int = 100,
        max_keepalive_connections: int = 20,
        keepalive_expiry: float = 4.0,
        connect_timeout: float = 2.0,
        pool_shards: int = 4,
    ) -> Instance:
        """An instance reached over HTTP at ``base_url`` (``http://10.0.0.7:8001``).

        ``keepalive_expiry`` defaults below uvicorn's 5 s keep-alive timeout so the
        gateway drops an idle connection before the upstream closes it under a request.

        Proxied requests (:meth:`exchange`) go through an aiohttp pool of
        ``max_connections``. The httpx pools behind :attr:`client` and :meth:`send` are
        split over ``pool_shards`` pools used in turn (limits divided between them):
        httpcore 1.0 scans every connection of a pool on each request and each
        response close, so one pool of dozens of busy connections spends its time
        scanning (encode/httpcore#1035).
        """
        limits = httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive_connections,
            keepalive_expiry=keepalive_expiry,
        )
        return cls(
            url=base_url.rstrip("/"),
            kind="http",
            limits=limits,
            connect_timeout=connect_timeout,
            pool_shards=max(1, pool_shards),
        )

    @classmethod
    def asgi(cls, app: ASGIApp, *, name: str = "embedded") -> Instance:
        """An in-process instance: requests go straight into ``app`` (no socket).

        httpx's ASGI transport buffers the app's response body, so embedded mode does
        not stream responses; requests are still streamed into the app.
        """
        return cls(url=f"asgi://{name}", kind="asgi", app=app)

    @property
    def base_url(self) -> str:
        """What requests are addressed to (an ASGI instance sees ``Host: <name>``)."""
        return "http://" + self.url.removeprefix("asgi://") if self.kind == "asgi" else self.url

    @property
    def client(self) -> httpx.AsyncClient:
        """A client over the instance's first pool, for health checks and ad-hoc calls."""
        if self._client is None:
            self._open()
        assert self._client is not None
        return self._client

    def _open(self) -> None:
        transports: tuple[httpx.AsyncBaseTransport, ...]
        if self.kind == "asgi":
            assert self.app is not None
            # The app's own 500 is a response to pass on, not an exception to raise here.
            transports = (httpx.ASGITransport(app=self.app, raise_app_exceptions=False),)
        else:
            limits = _share(self.limits, self.pool_shards)
            transports = tuple(
                httpx.AsyncHTTPTransport(limits=limits) for _ in range(self.pool_shards)
            )
        jar = CookieJar(policy=_NoCookies())
        self._transports = transports
        self._client = httpx.AsyncClient(transport=transports[0], cookies=jar, trust_env=False)

    async def exchange(
        self,
        method: str,
        target: str,
        headers: list[tuple[bytes, bytes]],
        content: AsyncIterable[bytes] | None,
        timeout: float,  # noqa: ASYNC109 - per-read and connect timeouts, not a deadline
    ) -> Answer:
        """Send a proxied request for ``target`` (path and query); the body is unread.

        ``headers`` go out as given (no client defaults added). Raises
        :class:`~burency_gateway.proxy.hop.HopError` for a transport failure and
        :class:`TimeoutError` when a read or write timed out. An HTTP instance uses its
        aiohttp session, except for the rare request whose header bytes aiohttp cannot
        write unchanged (not UTF-8): that one goes through the httpx pools. An embedded
        instance gets the request straight (:func:`asgi_exchange`) unless httpx would
        have re-quoted the target: then through httpx's ASGI transport, as before.
        """
        if self.kind == "asgi" and self.app is not None and plain_target(target):
            host = self.url.removeprefix("asgi://")
            return await asgi_exchange(
                self.app, host, method=method, target=target, headers=headers, content=content
            )
        text = text_headers(headers) if self.kind == "http" else None
        if text is not None:
            if self._hop is None:
                self._hop = HttpHop(
                    max_connections=self.limits.max_connections,
                    keepalive_expiry=self.limits.keepalive_expiry,
                    connect_timeout=self.connect_timeout,
                )
            url = upstream_url(self.url, target)
            return await self._hop.request(method, url, text, content, timeout)
        request = self.build_request(method, target, headers, content, timeout)
        try:
            return HttpxAnswer(await self.send(request))
        except httpx.TransportError as exc:
            raise httpx_error(exc) from exc

    async def send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` as is; the response body is left to stream.

        Goes to a transport directly rather than through ``AsyncClient.send``: a proxy
        wants none of the client's per-request work (auth flow, redirects, cookie jar,
        event hooks, logging), and skipping it saves about a fifth of the upstream
        leg's CPU. Exceptions are httpx's all the same (the transport maps them).
        """
        if not self._transports:
            self._open()
        transports = self._transports
        return await transports[next(self._turn) % len(transports)].handle_async_request(request)

    def build_request(
        self,
        method: str,
        target: str,
        headers: list[tuple[bytes, bytes]],
        content: AsyncIterable[bytes] | None,
        timeout: float,
    ) -> httpx.Request:
        """A request for ``target`` (path and query) on this instance.

        Built directly rather than with ``client.build_request`` so the client adds none
        of its defaults (``User-Agent``, ``Accept-Encoding``...): the upstream must see
        the client's headers, not httpx's.
        """
        limits = {
            "connect": min(self.connect_timeout, timeout),
            "read": timeout,
            "write": timeout,
            "pool": timeout,
        }
        return httpx.Request(
            method,
            self.base_url + target,
            headers=headers,
            content=content,
            extensions={"timeout": limits},
        )

    def note_failure(self) -> None:
        self.consecutive_failures += 1
        self.last_failure = time.monotonic()

    def state(self) -> dict[str, object]:
        """What the gateway's ``/healthz`` shows about this instance."""
        return {
            "url": self.url,
            "kind": self.kind,
            "healthy": not self.ejected,
            "ejected": self.ejected,
            "in_flight": self.in_flight,
            "consecutive_failures": self.consecutive_failures,
        }

    async def aclose(self) -> None:
        """Close the pooled connections; a later request opens new pools."""
        client, transports, hop = self._client, self._transports, self._hop
        self._client, self._transports, self._hop = None, (), None
        if hop is not None:
            await hop.aclose()
        if client is not None:
            await client.aclose()  # closes transports[0], which it wraps
        for transport in transports[1:]:
            await transport.aclose()


def _share(limits: httpx.Limits, shards: int) -> httpx.Limits:
    """``limits`` divided between ``shards`` pools (rounded up; None stays unlimited)."""

    def part(value: int | None) -> int | None:
        return None if value is None else max(1, -(-value // shards))

    return httpx.Limits(
        max_connections=part(limits.max_connections),
        max_keepalive_connections=part(limits.max_keepalive_connections),
        keepalive_expiry=limits.keepalive_expiry,
    )
